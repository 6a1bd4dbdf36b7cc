"""Who may see role assignments and the audit trail."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from commonroom.authz.models import INSTITUTION_ROLES, AuditEvent, Role, RoleAssignment
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.organisations.policies import platform_admin

own_assignment = Predicate(
    "is the person holding it",
    lambda actor, row: row.person_id == actor.person_id,
    lambda actor: Q(person_id=actor.person_id),
)


def _colleague_at(actor):
    return actor.institutions_where(*INSTITUTION_ROLES)


colleague_where_held = Predicate(
    "holds a role at the institution where it is held (the staff directory)",
    lambda actor, row: row.institution_id is not None and row.institution_id in _colleague_at(actor),
    lambda actor: Q(institution_id__in=_colleague_at(actor)) if _colleague_at(actor) else NOTHING,
)


def _authorities(actor):
    return actor.authorities_where(Role.LA_OFFICER)


officer_where_held = Predicate(
    "is an officer of the authority where it is held",
    lambda actor, row: (row.local_authority_id in _authorities(actor))
    or (row.institution_id is not None and row.institution.local_authority_id in _authorities(actor)),
    lambda actor: (Q(local_authority_id__in=_authorities(actor)) | Q(institution__local_authority_id__in=_authorities(actor)))
    if _authorities(actor)
    else NOTHING,
)
register(RoleAssignment, view=own_assignment | platform_admin | colleague_where_held | officer_where_held)

# The audit trail about a learner: the learner and their guardians see who looked
# (access transparency); heads see their institution's events; platform admins all.
# Messages between a parent and the school, and alerts to one parent, are that parent's business: the
# events about them (started, replied, read by staff, alerts retried) are left out of the learner's and
# the other parents' view of the log; the parent who acted still sees their own events.
PRIVATE_TO_A_CONTACT = ("read.conversation", "read.conversations", "read.alerts_undelivered", "alerts.delivery_retried")


def _private(event) -> bool:  # type: ignore[no-untyped-def]
    return event.action.startswith("messaging.") or event.action in PRIVATE_TO_A_CONTACT


def _not_private_unless_mine_q(actor):  # type: ignore[no-untyped-def]
    return ~(Q(action__startswith="messaging.") | Q(action__in=PRIVATE_TO_A_CONTACT)) | Q(actor_id=actor.person_id)


about_me = Predicate(
    "is about the actor (not a parent's messages with the school)",
    lambda actor, event: event.learner_id is not None and event.learner_id == actor.person_id
    and (not _private(event) or event.actor_id == actor.person_id),
    lambda actor: Q(learner_id=actor.person_id) & _not_private_unless_mine_q(actor) if actor.person_id else NOTHING,
)
def _other_family(actor):
    """Other contacts of the learners the actor cares for: (learner_id, contact_id) pairs, loaded once."""
    cached = actor.__dict__.get("_other_family")
    if cached is None:
        from commonroom.people.models import ContactLink

        cached = frozenset(
            ContactLink.objects.filter(learner_id__in=sorted(actor.cared_for_learner_ids))
            .exclude(contact_id=actor.person_id)
            .values_list("learner_id", "contact_id")
        ) if actor.cared_for_learner_ids else frozenset()
        actor.__dict__["_other_family"] = cached
    return cached


def _about_my_child_q(actor):  # type: ignore[no-untyped-def]
    if not actor.cared_for_learner_ids:
        return NOTHING
    from commonroom.people.models import ContactLink

    others = ContactLink.objects.filter(learner_id=OuterRef("learner_id"), contact_id=OuterRef("actor_id")).exclude(
        contact_id=actor.person_id
    )
    return Q(learner_id__in=sorted(actor.cared_for_learner_ids)) & ~Exists(others) & _not_private_unless_mine_q(actor)


# A guardian sees who looked at their child's record, except the child's other parents and carers:
# what another household reads is not theirs to know (the learner and the head see it).
about_my_child = Predicate(
    "is about a learner the actor cares for (not by, nor about the messages of, another of the learner's contacts)",
    lambda actor, event: event.learner_id in actor.cared_for_learner_ids
    and (event.learner_id, event.actor_id) not in _other_family(actor)
    and (not _private(event) or event.actor_id == actor.person_id),
    _about_my_child_q,
)
head_where_recorded = Predicate(
    "is head where it was recorded",
    lambda actor, event: event.institution_id is not None and event.institution_id in actor.institutions_where(Role.HEAD),
    lambda actor: Q(institution_id__in=actor.institutions_where(Role.HEAD))
    if actor.institutions_where(Role.HEAD)
    else NOTHING,
)


def _heads_learners(actor):  # type: ignore[no-untyped-def]
    from commonroom.common.dates import in_force
    from commonroom.people.models import Enrolment

    return Enrolment.objects.filter(in_force(on=actor.on), institution_id__in=actor.institutions_where(Role.HEAD))


def _family_read_check(actor, event) -> bool:  # type: ignore[no-untyped-def]
    from commonroom.people.policies import barred_learner_ids

    return (
        bool(actor.institutions_where(Role.HEAD)) and event.learner_id is not None and event.institution_id is None
        and event.local_authority_id is None and event.learner_id not in barred_learner_ids(actor)
        and _heads_learners(actor).filter(learner_id=event.learner_id).exists()
    )


def _family_read_q(actor):  # type: ignore[no-untyped-def]
    if not actor.institutions_where(Role.HEAD):
        return NOTHING
    from commonroom.people.policies import barred_learner_ids

    return (
        Q(institution__isnull=True, local_authority__isnull=True, learner_id__in=_heads_learners(actor).values("learner_id"))
        & ~Q(learner_id__in=sorted(barred_learner_ids(actor)))
    )


# Reads by the learner or their family carry no institution (they act through no role): the head of
# a school where the learner is enrolled today sees them, so the school knows who looked.
family_side_at_heads_school = Predicate(
    "is by no institution's staff, about a learner enrolled where the actor is head (not barred)",
    _family_read_check,
    _family_read_q,
)
register(AuditEvent, view=about_me | about_my_child | head_where_recorded | family_side_at_heads_school | platform_admin)
