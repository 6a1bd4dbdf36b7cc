"""The audit trail: reads of a learner's personal record, and every change a service makes.

Services call :func:`record` inside their transaction, so the event commits or rolls back
with the change it describes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from commonroom.authz.actor import Actor
from commonroom.authz.models import AuditEvent


def record(
    actor: Actor,
    action: str,
    obj: Model,
    *,
    learner_id: int | None = None,
    institution_id: int | None = None,
    local_authority_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor_id=actor.person_id,
        actor_label=actor.label[:200],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        learner_id=learner_id,
        institution_id=institution_id,
        local_authority_id=local_authority_id,
        detail=detail or {},
    )


def record_learner_read(
    actor: Actor, learner: Model, *, what: str, institution_ids: frozenset[int] | set[int], authority_ids: set[int] | frozenset[int] = frozenset(),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """A member of staff, a parent or the authority read a learner's record.

    ``institution_ids`` are the learner's current institutions; the event names the one
    through which the actor had access (their own role there), or the authority.
    """
    via_institution = next(
        (inst for inst in sorted(institution_ids) if any(row[1] == inst for row in actor.role_rows)), None
    )
    via_authority = None
    if via_institution is None:
        via_authority = next((la for la in sorted(authority_ids) if any(row[2] == la for row in actor.role_rows)), None)
    return record(
        actor,
        f"read.{what}",
        learner,
        learner_id=learner.pk,
        institution_id=via_institution,
        local_authority_id=via_authority,
        detail=detail,
    )


def record_learner_list_read(actor: Actor, learner_ids: list[int], *, what: str) -> None:
    """A list that shows learners' identifiers was read: one event per learner, in one insert.

    The institution (or authority) is named when the actor holds roles in exactly one.
    """
    ids = [pk for pk in learner_ids if pk != actor.person_id]
    if not ids:
        return
    institutions = {inst for _role, inst, _la in actor.role_rows if inst is not None}
    authorities = {la for _role, _inst, la in actor.role_rows if la is not None}
    via_institution = next(iter(institutions)) if len(institutions) == 1 else None
    via_authority = next(iter(authorities)) if via_institution is None and len(authorities) == 1 else None
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_id=actor.person_id,
            actor_label=actor.label[:200],
            action=f"read.{what}",
            object_type="people.learner",
            object_id=str(pk),
            learner_id=pk,
            institution_id=via_institution,
            local_authority_id=via_authority,
        )
        for pk in ids
    )


def record_for_learners(
    actor: Actor, action: str, obj: Model, learner_ids: list[int], *, institution_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One change that concerns several learners: one event per learner, in one insert."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_id=actor.person_id,
            actor_label=actor.label[:200],
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            learner_id=pk,
            institution_id=institution_id,
            detail=detail or {},
        )
        for pk in learner_ids
    )
