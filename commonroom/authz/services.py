"""Granting and ending roles: a guarded service. Nobody grants more than they hold."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound
from commonroom.authz.models import (
    AUTHORITY_ROLES,
    GOVERNANCE_ROLES,
    GRANTABLE_BY,
    INSTITUTION_ROLES,
    PLATFORM_ROLES,
    Role,
    RoleAssignment,
)
from commonroom.common.dates import today


def grantable_roles(actor: Actor, *, institution_id: int | None = None, local_authority_id: int | None = None) -> set[str]:
    """The roles ``actor`` may grant at that scope: never more than they hold."""
    if actor.is_platform_admin:
        if institution_id is not None:
            return set(INSTITUTION_ROLES | GOVERNANCE_ROLES)
        if local_authority_id is not None:
            return set(AUTHORITY_ROLES)
        return set(PLATFORM_ROLES)
    allowed: set[str] = set()
    if institution_id is not None:
        for held, roles in GRANTABLE_BY.items():
            if actor.holds(held, institution_id=institution_id):
                allowed |= roles
    if local_authority_id is not None and actor.holds(Role.LA_OFFICER, local_authority_id=local_authority_id):
        allowed |= set(AUTHORITY_ROLES)
    return allowed


def role_grant(
    *,
    actor: Actor,
    person_id: int,
    role: str,
    institution_id: int | None = None,
    local_authority_id: int | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> RoleAssignment:
    if role not in grantable_roles(actor, institution_id=institution_id, local_authority_id=local_authority_id):
        raise NotFound()
    if person_id == actor.person_id:
        raise ValidationError({"person": _("You cannot grant a role to yourself: ask a colleague.")})
    from commonroom.people.models import Learner

    if Learner.objects.filter(pk=person_id).exists():
        raise ValidationError({"person": _("Learners cannot be given staff or authority roles.")})
    start = start_date or today()
    if end_date is not None and end_date < start:
        raise ValidationError({"end_date": _("The end date must be on or after the start date.")})
    with transaction.atomic():
        held = RoleAssignment.objects.filter(person_id=person_id, role=role, end_date__isnull=True).filter(
            Q(institution_id=institution_id) if institution_id is not None else Q(institution__isnull=True),
            Q(local_authority_id=local_authority_id) if local_authority_id is not None else Q(local_authority__isnull=True),
        )
        if held.exists():
            raise ValidationError({"role": _("This person already holds that role there.")})
        assignment = RoleAssignment(
            person_id=person_id,
            role=role,
            institution_id=institution_id,
            local_authority_id=local_authority_id,
            start_date=start,
            end_date=end_date,
            granted_by_id=actor.person_id,
        )
        assignment.full_clean()
        assignment.save()
        audit.record(
            actor,
            "role.grant",
            assignment,
            institution_id=institution_id,
            local_authority_id=local_authority_id,
            detail={"person": person_id, "role": role},
        )
    return assignment


def role_end(*, actor: Actor, assignment: RoleAssignment, end_date: datetime.date | None = None) -> RoleAssignment:
    scope = {"institution_id": assignment.institution_id, "local_authority_id": assignment.local_authority_id}
    if assignment.role not in grantable_roles(actor, **scope):
        raise NotFound()
    end = end_date or today()
    if assignment.end_date is not None and assignment.end_date <= end:
        raise ValidationError({"end_date": _("This role has already ended.")})
    if end_date is None and assignment.start_date > end:
        # "End" on a role that has not started yet withdraws it: it never comes into force.
        with transaction.atomic():
            audit.record(actor, "role.withdraw", assignment, **scope, detail={"start_date": assignment.start_date.isoformat()})
            assignment.delete()
        return assignment
    if end < assignment.start_date:
        raise ValidationError({"end_date": _("The end date must be on or after the start date.")})
    with transaction.atomic():
        assignment.end_date = end
        assignment.save(update_fields=["end_date", "updated_at"])
        audit.record(actor, "role.end", assignment, **scope, detail={"end_date": end.isoformat()})
    return assignment
