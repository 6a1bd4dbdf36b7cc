"""Who may see and act on conversations and broadcasts, in the school's words.

Conversations:
- the parent or carer who started it, while their link to the child is in force and not barred
  (a link barred later takes the conversation away from them);
- the office, the head and senior leaders of the conversation's institution;
- the learner's form tutor today (a tutor of a registration group the learner is in), for a
  conversation addressed to the form tutor;
- the member of staff it is assigned to, while they still work at the conversation's institution
  (a role in force there, or a group there they staff today).
A bar wins over every staff route. The learner does NOT see their parents' conversations.

Broadcasts: the sender (while they still work at its institution, as above), and the office, head
and senior leaders of its institution, see a broadcast and its read receipts; a recipient sees the broadcast and their own receipt.
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import INSTITUTION_ROLES, OFFICE_ROLES
from commonroom.authz.registry import register
from commonroom.authz.rules import EVERYTHING, NOTHING, Predicate
from commonroom.common.dates import in_force
from commonroom.messaging.models import Broadcast, BroadcastRecipient, Conversation, Message, MessagingSettings
from commonroom.organisations.models import Institution
from commonroom.people.models import Group, GroupMembership, GroupStaff, Learner
from commonroom.people.policies import (
    LEARNER_VIEW,
    barred_learner_ids,
    not_barred,
    office_at_learners_institution,
    teaches_learner,
)


def _office_institutions(actor: Actor) -> frozenset[int]:
    return actor.institutions_where(*OFFICE_ROLES)


def _group_institutions(actor: Actor) -> frozenset[int]:
    """Institutions of the groups the actor staffs today (teaches or tutors)."""
    groups = actor.staff_groups
    if not groups:
        return frozenset()
    cached = actor.__dict__.get("_messaging_group_institutions")
    if cached is None:
        cached = frozenset(Group.objects.filter(pk__in=sorted(groups)).values_list("institution_id", flat=True))
        actor.__dict__["_messaging_group_institutions"] = cached
    return cached


def _working_institutions(actor: Actor) -> frozenset[int]:
    """Where the actor works today: a role in force there, or a group there they staff today. Someone who
    has left keeps no access through a row naming them (an assignment, a broadcast they sent)."""
    return actor.institutions_where(*INSTITUTION_ROLES) | _group_institutions(actor)


def _own_at_work_q(actor: Actor, field: str) -> Q:
    working = _working_institutions(actor)
    if actor.person_id is None or not working:
        return NOTHING
    return Q(**{field: actor.person_id, "institution_id__in": sorted(working)})


def _tutor_group_ids(actor: Actor) -> list[int]:
    return sorted(group for group, roles in actor.staff_groups.items() if GroupStaff.Role.TUTOR in roles)


def tutored_pairs(actor: Actor) -> set[tuple[int, int]]:
    """(learner id, institution id) for learners in a registration group the actor tutors today."""
    cached = actor.__dict__.get("_messaging_tutored")
    if cached is None:
        groups = _tutor_group_ids(actor)
        cached = set(
            GroupMembership.objects.filter(in_force(on=actor.on), group_id__in=groups,
                                           group__kind=Group.Kind.REGISTRATION).values_list("learner_id", "institution_id")
        ) if groups else set()
        actor.__dict__["_messaging_tutored"] = cached
    return cached


def _tutored_q(actor: Actor) -> Q:
    pairs = tutored_pairs(actor)
    if not pairs:
        return NOTHING
    combined = NOTHING
    for learner_id, institution_id in sorted(pairs):
        combined |= Q(learner_id=learner_id, institution_id=institution_id)
    return Q(addressed_to=Conversation.Addressee.TUTOR) & combined


def _conversation_not_barred_q(actor: Actor) -> Q:
    bars = barred_learner_ids(actor)
    return ~Q(learner_id__in=sorted(bars)) if bars else EVERYTHING


started_it = Predicate(
    "started it, and their link to the child is in force and not barred",
    lambda actor, conv: conv.started_by_id == actor.person_id and conv.learner_id in actor.cared_for_learner_ids,
    lambda actor: Q(started_by_id=actor.person_id, learner_id__in=sorted(actor.cared_for_learner_ids))
    if actor.cared_for_learner_ids else NOTHING,
)
office_of_conversation = Predicate(
    "is office, head or senior leader at the conversation's institution",
    lambda actor, conv: conv.institution_id in _office_institutions(actor),
    lambda actor: Q(institution_id__in=sorted(_office_institutions(actor))) if _office_institutions(actor) else NOTHING,
)
tutor_addressed = Predicate(
    "is the learner's form tutor, and the conversation is addressed to the form tutor",
    lambda actor, conv: conv.addressed_to == Conversation.Addressee.TUTOR
    and (conv.learner_id, conv.institution_id) in tutored_pairs(actor),
    _tutored_q,
)
assigned_to_them = Predicate(
    "is the member of staff it is assigned to, and still works at the conversation's institution",
    lambda actor, conv: conv.assignee_id is not None and conv.assignee_id == actor.person_id
    and conv.institution_id in _working_institutions(actor),
    lambda actor: _own_at_work_q(actor, "assignee_id"),
)
conversation_not_barred = Predicate(
    "is not barred from the learner",
    lambda actor, conv: conv.learner_id not in barred_learner_ids(actor),
    _conversation_not_barred_q,
)

CONVERSATION_STAFF = (office_of_conversation | tutor_addressed | assigned_to_them) & conversation_not_barred
CONVERSATION_VIEW = started_it | CONVERSATION_STAFF
register(Conversation, view=CONVERSATION_VIEW, reply=CONVERSATION_VIEW, manage=CONVERSATION_STAFF)


class ThroughConversation(Predicate):
    def __init__(self) -> None:
        super().__init__("may see the conversation", self._check_row, self._q_rows)

    def _check_row(self, actor: Actor, message: Message) -> bool:
        return CONVERSATION_VIEW.check(actor, message.conversation)

    def _q_rows(self, actor: Actor) -> Q:
        return Q(conversation_id__in=Conversation.objects.filter(CONVERSATION_VIEW.q(actor)).values("pk"))


register(Message, view=ThroughConversation())


# Starting a conversation: a contact whose link is in force and not barred (guardian_of already
# leaves barred and ended links out).
family_of = Predicate(
    "is a parent or carer of the learner (link in force, not barred)",
    lambda actor, learner: learner.pk in actor.cared_for_learner_ids,
    lambda actor: Q(pk__in=sorted(actor.cared_for_learner_ids)) if actor.cared_for_learner_ids else NOTHING,
)
# A hand-picked list (a trip list): office and leaders where the learner is enrolled, or a teacher or
# tutor of a group the learner is in; never someone barred from the learner.
BROADCAST_TO_LEARNER = (office_at_learners_institution | teaches_learner) & not_barred
register(Learner, messaging_start=family_of, messaging_broadcast=BROADCAST_TO_LEARNER)


# Broadcasting to a group: its staff, or the office and leaders of its institution.
def _office_group_q(actor: Actor) -> Q:
    mine = _office_institutions(actor)
    return Q(institution_id__in=sorted(mine)) if mine else NOTHING


register(Group, messaging_broadcast=Predicate(
    "teaches or tutors the group, or is office or leader at its institution",
    lambda actor, group: group.pk in actor.staff_groups or group.institution_id in _office_institutions(actor),
    lambda actor: (Q(pk__in=sorted(actor.staff_groups)) if actor.staff_groups else NOTHING) | _office_group_q(actor),
))


def _staff_institutions(actor: Actor) -> frozenset[int]:
    return actor.institutions_where(*INSTITUTION_ROLES)


def _institution_rule(name: str, ids) -> Predicate:  # type: ignore[no-untyped-def]
    return Predicate(
        name,
        lambda actor, inst: inst.pk in ids(actor),
        lambda actor: Q(pk__in=sorted(ids(actor))) if ids(actor) else NOTHING,
    )


def _broadcasting_institutions(actor: Actor) -> frozenset[int]:
    """Office and leaders, and staff of a group there."""
    return _office_institutions(actor) | (_group_institutions(actor) & _staff_institutions(actor))


register(
    Institution,
    messaging_inbox=_institution_rule("works at the institution", _staff_institutions),
    messaging_broadcast=_institution_rule("is office or leader there, or staffs a group there", _broadcasting_institutions),
    messaging_settings=_institution_rule("is office, head or senior leader there", _office_institutions),
)


# Broadcasts and receipts.
sent_it = Predicate(
    "sent it, and still works at the broadcast's institution",
    lambda actor, broadcast: actor.person_id is not None and broadcast.sender_id == actor.person_id
    and broadcast.institution_id in _working_institutions(actor),
    lambda actor: _own_at_work_q(actor, "sender_id"),
)
office_of_broadcast = Predicate(
    "is office, head or senior leader at the broadcast's institution",
    lambda actor, row: row.institution_id in _office_institutions(actor),
    lambda actor: Q(institution_id__in=sorted(_office_institutions(actor))) if _office_institutions(actor) else NOTHING,
)
received_it = Predicate(
    "received it",
    lambda actor, broadcast: actor.person_id is not None
    and BroadcastRecipient.objects.filter(broadcast_id=broadcast.pk, person_id=actor.person_id).exists(),
    lambda actor: Q(pk__in=BroadcastRecipient.objects.filter(person_id=actor.person_id).values("broadcast_id"))
    if actor.person_id else NOTHING,
)
register(Broadcast, view=sent_it | office_of_broadcast | received_it, receipts=sent_it | office_of_broadcast)

own_receipt = Predicate(
    "is the recipient",
    lambda actor, row: row.person_id == actor.person_id,
    lambda actor: Q(person_id=actor.person_id) if actor.person_id else NOTHING,
)
sender_of_receipt = Predicate(
    "sent the broadcast, and still works at its institution",
    lambda actor, row: actor.person_id is not None and row.broadcast.sender_id == actor.person_id
    and row.institution_id in _working_institutions(actor),
    lambda actor: _own_at_work_q(actor, "broadcast__sender_id"),
)
register(BroadcastRecipient, view=own_receipt | sender_of_receipt | office_of_broadcast)

# The institution's messaging settings: its office, head and senior leaders.
register(MessagingSettings, view=office_of_broadcast, change=office_of_broadcast)

__all__ = ["CONVERSATION_STAFF", "CONVERSATION_VIEW", "LEARNER_VIEW", "tutored_pairs"]
