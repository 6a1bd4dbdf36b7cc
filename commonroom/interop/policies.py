"""Who may send a learner's Common Transfer File, in the school's words.

A school must send a leaver's record to their next school (the Education (Pupil Information)
(England) Regulations 2005), usually after the learner has left. Once an enrolment has ended nobody
at the school *sees* the learner any more (``people.policies``), so sending the file is its own
action, ``transfer``, held by the school's office and leadership (head, senior leader, office: the
roles that enrol learners):

- a learner who is, or was, enrolled at a school where the actor has an office or leadership role;
- what the school holds about them there: enrolments, group memberships, SEN status and needs,
  key stage results and earlier schools;
- their contacts, except a contact whose access is barred (a court order): the file has no way to
  say "barred", so a barred contact is never sent (the office tells the next school another way);
- never a learner the actor is barred from.

The action is used only by the CTF export (``commonroom.interop.ctf_exchange``); it gives no page
that shows these records. SEN status and needs travel in the file because the next school must
have them; the SEN plan, summaries, provision and reviews never do.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import OFFICE_ROLES
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.people.models import ContactLink, Enrolment, GroupMembership, Learner
from commonroom.people.policies import barred_learner_ids, not_barred
from commonroom.records.models import PriorSchool, SenEpisode, SenRecord, StageResult


def _office_at(actor: Actor) -> frozenset[int]:
    return actor.institutions_where(*OFFICE_ROLES)


def _ever_enrolled_check(actor: Actor, learner: Learner) -> bool:
    mine = _office_at(actor)
    return bool(mine) and Enrolment.objects.filter(learner_id=learner.pk, institution_id__in=sorted(mine)).exists()


def _ever_enrolled_q(actor: Actor) -> Q:
    mine = _office_at(actor)
    if not mine:
        return NOTHING
    return Q(pk__in=Enrolment.objects.filter(institution_id__in=sorted(mine)).values("learner_id"))


office_where_ever_enrolled = Predicate(
    "has an office or leadership role at a school where the learner is or was enrolled",
    _ever_enrolled_check,
    _ever_enrolled_q,
)
LEARNER_TRANSFER = office_where_ever_enrolled & not_barred


def _held_by_office(name: str, *, learner_field: str = "learner_id", institution_of: Any = None) -> Predicate:
    """A row the school holds about a learner: the row's school is one where the actor has an office or
    leadership role, and the actor is not barred from the learner."""

    def check(actor: Actor, row: Any) -> bool:
        learner_id = row.record.learner_id if learner_field != "learner_id" else row.learner_id
        return row.institution_id in _office_at(actor) and learner_id not in barred_learner_ids(actor)

    def q(actor: Actor) -> Q:
        mine = _office_at(actor)
        if not mine:
            return NOTHING
        found = Q(institution_id__in=sorted(mine))
        barred = barred_learner_ids(actor)
        return found & ~Q(**{f"{learner_field}__in": sorted(barred)}) if barred else found

    return Predicate(name, check, q)


HELD_BY_OFFICE = "is held by a school where the actor has an office or leadership role (not barred from the learner)"

register(Learner, transfer=LEARNER_TRANSFER)
for _model in (Enrolment, GroupMembership, SenRecord, StageResult, PriorSchool):
    register(_model, transfer=_held_by_office(HELD_BY_OFFICE))
register(SenEpisode, transfer=_held_by_office(HELD_BY_OFFICE, learner_field="record__learner_id"))


def _contact_check(actor: Actor, link: ContactLink) -> bool:
    return not link.access_barred and LEARNER_TRANSFER.check(actor, link.learner)


def _contact_q(actor: Actor) -> Q:
    return Q(access_barred=False, learner_id__in=Learner.objects.filter(LEARNER_TRANSFER.q(actor)).values("pk"))


register(
    ContactLink,
    transfer=Predicate("a contact (not barred) of a learner whose transfer file the actor may send",
                       _contact_check, _contact_q),
)
