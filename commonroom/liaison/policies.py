"""Who may report absences, ask for changes of details, decide on them and read uptake, in the school's words.

- A parent or carer **with parental responsibility**, whose link to the child is in force and not
  barred, reports an absence for the child and asks for changes to the child's medical notes or
  dietary needs. (A contact without parental responsibility, such as a grandparent who collects the
  child, cannot: they may still phone the office.) Anyone with at least one such link may ask to
  change their own email and phone.
- A parent sees only the reports and requests they made themself, and a child's ones only while
  their link to that child is in force and not barred. A barred link does nothing and learns nothing.
- The school office (head, senior leader, office and attendance staff: ``OFFICE_ROLES``, the same
  people who may ``amend_attendance``) sees and decides on its own institution's absence reports,
  and on changes of details for learners enrolled there (or due to join); a parent's own contact
  details are decided by the office of any institution where one of their children is enrolled.
  Nobody decides for a learner they are barred from.
- Parent uptake figures: the school office (head, leader, office) of that institution. Local-authority
  officers do not see named parents' sign-in and reading behaviour; the year-group figures reach
  them later through the self-review framework (``selectors.uptake_figures``).
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import OFFICE_ROLES
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.common.dates import in_force
from commonroom.liaison.models import AbsenceReport, DetailChange
from commonroom.organisations.models import Institution
from commonroom.people.models import ContactLink, Enrolment, Learner
from commonroom.people.policies import barred_learner_ids, not_ended


def responsible_for_ids(actor: Actor) -> frozenset[int]:
    """Learners this actor is a contact of with parental responsibility, in force and not barred (loaded once)."""
    cached = actor.__dict__.get("_liaison_responsible")
    if cached is None:
        cached = frozenset() if actor.person_id is None else frozenset(
            ContactLink.objects.filter(in_force(on=actor.on), contact_id=actor.person_id, access_barred=False,
                                       parental_responsibility=True).values_list("learner_id", flat=True))
        actor.__dict__["_liaison_responsible"] = cached
    return cached


def office_institution_ids(actor: Actor) -> frozenset[int]:
    return actor.institutions_where(*OFFICE_ROLES)


# Learners: who may report an absence or ask to change a child's details.
responsible_parent = Predicate(
    "is a parent or carer with parental responsibility (link in force, not barred)",
    lambda actor, learner: learner.pk in responsible_for_ids(actor),
    lambda actor: Q(pk__in=sorted(responsible_for_ids(actor))) if responsible_for_ids(actor) else NOTHING,
)
register(Learner, report_absence=responsible_parent, request_detail_change=responsible_parent)


# Institutions: the office's queues and the uptake figures.
office_at_institution = Predicate(
    "is head, senior leader or office staff there",
    lambda actor, inst: inst.pk in office_institution_ids(actor),
    lambda actor: Q(pk__in=sorted(office_institution_ids(actor))) if office_institution_ids(actor) else NOTHING,
)
register(Institution, view_absence_reports=office_at_institution, decide_detail_changes=office_at_institution,
         view_parent_uptake=office_at_institution)


# Absence reports.
def _own_report_check(actor: Actor, report: AbsenceReport) -> bool:
    return report.reported_by_id == actor.person_id and report.learner_id in actor.cared_for_learner_ids


def _own_report_q(actor: Actor) -> Q:
    if not actor.cared_for_learner_ids:
        return NOTHING
    return Q(reported_by_id=actor.person_id, learner_id__in=sorted(actor.cared_for_learner_ids))


def _office_report_check(actor: Actor, report: AbsenceReport) -> bool:
    return report.institution_id in office_institution_ids(actor) and report.learner_id not in barred_learner_ids(actor)


def _office_report_q(actor: Actor) -> Q:
    mine = office_institution_ids(actor)
    if not mine:
        return NOTHING
    q = Q(institution_id__in=sorted(mine))
    barred = barred_learner_ids(actor)
    return q & ~Q(learner_id__in=sorted(barred)) if barred else q


own_report = Predicate("reported it, about a child they still care for (not barred)", _own_report_check, _own_report_q)
office_of_report = Predicate("is the office where the child is reported absent (not barred)", _office_report_check,
                             _office_report_q)
register(AbsenceReport, view=own_report | office_of_report, decide=office_of_report)


# Changes of details.
def _own_change_check(actor: Actor, change: DetailChange) -> bool:
    if change.requested_by_id != actor.person_id:
        return False
    return change.learner_id is None or change.learner_id in actor.cared_for_learner_ids


def _own_change_q(actor: Actor) -> Q:
    if actor.person_id is None:
        return NOTHING
    mine = Q(requested_by_id=actor.person_id)
    children = Q(learner__isnull=True)
    if actor.cared_for_learner_ids:
        children |= Q(learner_id__in=sorted(actor.cared_for_learner_ids))
    return mine & children


def _enrolled_here(actor: Actor, institutions: frozenset[int]):  # type: ignore[no-untyped-def]
    return Enrolment.objects.filter(not_ended(actor.on), institution_id__in=sorted(institutions)).values("learner_id")


def _parents_here(actor: Actor, institutions: frozenset[int]):  # type: ignore[no-untyped-def]
    """Contacts (link in force, not barred) of learners enrolled at these institutions."""
    return ContactLink.objects.filter(in_force(on=actor.on), access_barred=False,
                                      learner_id__in=_enrolled_here(actor, institutions)).values("contact_id")


def _office_change_check(actor: Actor, change: DetailChange) -> bool:
    mine = office_institution_ids(actor)
    if not mine:
        return False
    if change.learner_id is not None:
        return (change.learner_id not in barred_learner_ids(actor)
                and Enrolment.objects.filter(not_ended(actor.on), learner_id=change.learner_id,
                                             institution_id__in=sorted(mine)).exists())
    return ContactLink.objects.filter(in_force(on=actor.on), access_barred=False, contact_id=change.person_id,
                                      learner_id__in=_enrolled_here(actor, mine)).exists()


def _office_change_q(actor: Actor) -> Q:
    mine = office_institution_ids(actor)
    if not mine:
        return NOTHING
    child = Q(learner_id__in=_enrolled_here(actor, mine))
    barred = barred_learner_ids(actor)
    if barred:
        child &= ~Q(learner_id__in=sorted(barred))
    parent = Q(learner__isnull=True, person_id__in=_parents_here(actor, mine))
    return child | parent


own_change = Predicate("asked for it (a child's: while still caring for the child, not barred)", _own_change_check,
                       _own_change_q)
office_of_change = Predicate("is the office of a school where the child (or one of the parent's children) is enrolled",
                             _office_change_check, _office_change_q)
register(DetailChange, view=own_change | office_of_change, decide=office_of_change)
