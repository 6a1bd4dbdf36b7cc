from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from commonroom.authz.actor import Actor
from commonroom.authz.registry import rule_for

M = TypeVar("M", bound=Model)


class NotFound(Http404):
    """Raised for a record that does not exist and for one the actor may not reach: they look the same."""


def visible(actor: Actor, model: type[M], action: str = "view") -> QuerySet[M]:
    return model._default_manager.filter(rule_for(model, action).q(actor))


def get_for(actor: Actor, model: type[M], pk: Any, action: str = "view", queryset: QuerySet[M] | None = None) -> M:
    base = queryset if queryset is not None else model._default_manager.all()
    try:
        obj = base.filter(rule_for(model, action).q(actor)).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise NotFound() from None
    return obj


def can(actor: Actor, action: str, obj: Model) -> bool:
    return rule_for(type(obj), action).check(actor, obj)


def require(actor: Actor, action: str, obj: Model) -> None:
    if not can(actor, action, obj):
        raise NotFound()
