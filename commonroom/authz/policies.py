"""Who may see role assignments and the audit trail."""

from __future__ import annotations

from django.db.models import Q

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
about_me = Predicate(
    "is about the actor",
    lambda actor, event: event.learner_id is not None and event.learner_id == actor.person_id,
    lambda actor: Q(learner_id=actor.person_id) if actor.person_id else NOTHING,
)
about_my_child = Predicate(
    "is about a learner the actor cares for",
    lambda actor, event: event.learner_id in actor.cared_for_learner_ids,
    lambda actor: Q(learner_id__in=sorted(actor.cared_for_learner_ids)) if actor.cared_for_learner_ids else NOTHING,
)
head_where_recorded = Predicate(
    "is head where it was recorded",
    lambda actor, event: event.institution_id is not None and event.institution_id in actor.institutions_where(Role.HEAD),
    lambda actor: Q(institution_id__in=actor.institutions_where(Role.HEAD))
    if actor.institutions_where(Role.HEAD)
    else NOTHING,
)
register(AuditEvent, view=about_me | about_my_child | head_where_recorded | platform_admin)
