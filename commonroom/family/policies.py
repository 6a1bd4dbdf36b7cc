"""Who sees a child's page, school events and calendar feeds, in the school's words.

- A child's page (what the family sees) is read by the child's parents and carers (a contact link in
  force, not barred), by the learner themself, and, so that the school can check what families see,
  by whole-institution staff where the learner is enrolled and by the learner's teachers and tutors.
  Authority officers do not read it (they have the staff pages). A bar wins over every route.
- School events: everyone who works at the school sees all its events (drafts included); the office,
  the head and senior leaders add, change and delete them. A learner and their parents and carers
  (not barred) see published events for the whole school at the learner's school, or for a group the
  learner is in today.
- A calendar feed is its owner's alone (the pages and the API act only on the caller's own feed).
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import INSTITUTION_ROLES, OFFICE_ROLES
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.common.dates import in_force
from commonroom.family.models import Event, SchoolContact
from commonroom.organisations.models import Institution
from commonroom.people.models import Enrolment, GroupMembership, Learner
from commonroom.people.policies import (
    guardian_of,
    is_the_learner,
    not_barred,
    staff_at_learners_institution,
    teaches_learner,
)

# The child page: the family's view of a learner.
FAMILY_PAGE = (is_the_learner | guardian_of | staff_at_learners_institution | teaches_learner) & not_barred
register(Learner, view_family_page=FAMILY_PAGE)


def _inst_rule(name: str, roles: tuple[str, ...] | frozenset[str]) -> Predicate:
    return Predicate(
        name,
        lambda actor, inst: inst.pk in actor.institutions_where(*roles),
        lambda actor: Q(pk__in=sorted(actor.institutions_where(*roles))) if actor.institutions_where(*roles) else NOTHING,
    )


register(Institution,
         manage_events=_inst_rule("is the head, a senior leader or office staff there", OFFICE_ROLES),
         view_events=_inst_rule("works there", INSTITUTION_ROLES))


def family_learner_ids(actor: Actor) -> list[int]:
    """The learner themself and the children this person cares for (links in force, not barred)."""
    ids = set(actor.cared_for_learner_ids)
    if actor.person_id is not None:
        ids.add(actor.person_id)
    return sorted(ids)


def _family_institutions(actor: Actor):  # type: ignore[no-untyped-def]
    return Enrolment.objects.filter(in_force(on=actor.on), learner_id__in=family_learner_ids(actor)).values("institution_id")


def _family_groups(actor: Actor):  # type: ignore[no-untyped-def]
    return GroupMembership.objects.filter(in_force(on=actor.on), learner_id__in=family_learner_ids(actor)).values("group_id")


def _family_event_check(actor: Actor, event: Event) -> bool:
    if not event.published or actor.person_id is None:
        return False
    if event.whole_school and _family_institutions(actor).filter(institution_id=event.institution_id).exists():
        return True
    return Event.groups.through.objects.filter(event_id=event.pk, group_id__in=_family_groups(actor)).exists()


def _family_event_q(actor: Actor) -> Q:
    if actor.person_id is None:
        return NOTHING
    for_groups = Event.groups.through.objects.filter(group_id__in=_family_groups(actor)).values("event_id")
    return Q(published=True) & (Q(whole_school=True, institution_id__in=_family_institutions(actor)) | Q(pk__in=for_groups))


family_event = Predicate("the learner, or a parent or carer (not barred), of a learner the published event is for",
                         _family_event_check, _family_event_q)


def _staff_rule(name: str, roles: tuple[str, ...] | frozenset[str]) -> Predicate:
    return Predicate(
        name,
        lambda actor, row: row.institution_id in actor.institutions_where(*roles),
        lambda actor: Q(institution_id__in=sorted(actor.institutions_where(*roles)))
        if actor.institutions_where(*roles) else NOTHING,
    )


event_staff = _staff_rule("works at the school", INSTITUTION_ROLES)
event_managers = _staff_rule("is the head, a senior leader or office staff at the school", OFFICE_ROLES)
register(Event, view=event_staff | family_event, manage=event_managers)
register(SchoolContact, manage=event_managers)
