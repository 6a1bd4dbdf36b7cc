"""The one authorisation layer.

    visible(actor, Model, action="view")     -> QuerySet of what the actor may see (a SQL filter)
    get_for(actor, Model, pk, action="view") -> the object, or NotFound (missing and forbidden alike)
    require(actor, action, obj)              -> None, or NotFound
    can(actor, action, obj)                  -> bool

Rules live in each app's ``policies.py`` and are registered per (model, action).
Names are imported lazily so that importing this package does not load models early.
"""

from typing import Any

__all__ = ["Actor", "NotFound", "actor_for", "can", "get_for", "require", "visible"]


def __getattr__(name: str) -> Any:
    if name in {"NotFound", "can", "get_for", "require", "visible"}:
        from commonroom.authz import api

        return getattr(api, name)
    if name in {"Actor", "actor_for"}:
        from commonroom.authz import actor

        return getattr(actor, name)
    raise AttributeError(name)
