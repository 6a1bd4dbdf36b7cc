"""The policy registry: one rule per (model, action). Asking for an unregistered pair is an error."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.db.models import Model

from commonroom.authz.rules import Rule


class PolicyMissing(LookupError):
    pass


_RULES: dict[tuple[type[Model], str], Rule] = {}


def register(model: type[Model], **actions: Rule) -> None:
    for action, rule in actions.items():
        key = (model, action)
        if key in _RULES and _RULES[key] is not rule:
            raise ValueError(f"{model.__name__}.{action} already has a rule")
        _RULES[key] = rule


def rule_for(model: type[Model], action: str) -> Rule:
    try:
        return _RULES[(model, action)]
    except KeyError:
        raise PolicyMissing(f"No authz rule for {model.__name__} {action!r}: add one to its app's policies.py") from None


def registered() -> dict[tuple[type[Model], str], Rule]:
    return dict(_RULES)


def load_all_policies() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("commonroom."):
            try:
                importlib.import_module(f"{config.name}.policies")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.policies":
                    raise


def describe(model: type[Model], action: str) -> Any:
    return rule_for(model, action).name
