from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

from commonroom.authz.actor import Actor
from commonroom.authz.registry import rule_for

M = TypeVar("M", bound=Model)


class NotFound(Http404):
    """Raised for a record that does not exist and for one the actor may not reach: they look the same."""


def visible(actor: Actor, model: type[M], action: str = "view") -> QuerySet[M]:
    return model._default_manager.filter(rule_for(model, action).q(actor))


# The range of a 64-bit signed integer key: ids outside it cannot exist, on any database.
_MIN_ID, _MAX_ID = -(2**63), 2**63 - 1


def clean_id(model: type[Model], pk: Any) -> Any:
    """The id as the model's key type, or NotFound for anything that cannot be an id of it."""
    field: Any = model._meta.pk
    while field.is_relation:  # a one-to-one primary key takes its type from the row it points to
        field = field.target_field
    try:
        value = field.to_python(pk)
    except (ValidationError, ValueError, TypeError):
        raise NotFound() from None
    if isinstance(value, int) and not _MIN_ID <= value <= _MAX_ID:
        raise NotFound()
    return value


def get_for(actor: Actor, model: type[M], pk: Any, action: str = "view", queryset: QuerySet[M] | None = None) -> M:
    base = queryset if queryset is not None else model._default_manager.all()
    try:
        return base.filter(rule_for(model, action).q(actor)).get(pk=clean_id(model, pk))
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise NotFound() from None


def can(actor: Actor, action: str, obj: Model) -> bool:
    return rule_for(type(obj), action).check(actor, obj)


def require(actor: Actor, action: str, obj: Model) -> None:
    if not can(actor, action, obj):
        raise NotFound()
