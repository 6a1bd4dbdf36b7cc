"""Rules: each answers "may this actor do this to this object?" (``check``) and
"which rows may this actor see?" (``q``, a database filter), from one definition.

Rules compose with ``|`` and ``&``. A test walks the persona world and asserts, for every
registered rule, that ``check`` and ``q`` agree on every object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from commonroom.authz.actor import Actor

# A Q that matches nothing and one that matches everything, without touching the database.
NOTHING = Q(pk__in=[])
EVERYTHING = ~Q(pk__in=[])


class Rule:
    name = "rule"

    def check(self, actor: Actor, obj: Any) -> bool:
        raise NotImplementedError

    def q(self, actor: Actor) -> Q:
        raise NotImplementedError

    def __or__(self, other: Rule) -> Rule:
        return AnyOf(self, other)

    def __and__(self, other: Rule) -> Rule:
        return AllOf(self, other)

    def __repr__(self) -> str:
        return f"<Rule {self.name}>"


class Predicate(Rule):
    """A named rule in the school's words, from a check function and a filter function."""

    def __init__(self, name: str, check: Callable[[Actor, Any], bool], q: Callable[[Actor], Q]) -> None:
        self.name = name
        self._check = check
        self._q = q

    def check(self, actor: Actor, obj: Any) -> bool:
        if actor.is_anonymous:
            return False
        return bool(self._check(actor, obj))

    def q(self, actor: Actor) -> Q:
        if actor.is_anonymous:
            return NOTHING
        return self._q(actor)


class AnyOf(Rule):
    def __init__(self, *rules: Rule) -> None:
        self.rules = rules
        self.name = " | ".join(rule.name for rule in rules)

    def check(self, actor: Actor, obj: Any) -> bool:
        return any(rule.check(actor, obj) for rule in self.rules)

    def q(self, actor: Actor) -> Q:
        combined = NOTHING
        for rule in self.rules:
            combined |= rule.q(actor)
        return combined


class AllOf(Rule):
    def __init__(self, *rules: Rule) -> None:
        self.rules = rules
        self.name = " & ".join(rule.name for rule in rules)

    def check(self, actor: Actor, obj: Any) -> bool:
        return all(rule.check(actor, obj) for rule in self.rules)

    def q(self, actor: Actor) -> Q:
        combined = EVERYTHING
        for rule in self.rules:
            combined &= rule.q(actor)
        return combined


def predicate(name: str, *, q: Callable[[Actor], Q]) -> Callable[[Callable[[Actor, Any], bool]], Predicate]:
    """Decorator: ``@predicate("tutor of", q=lambda actor: ...)`` on the check function."""

    def wrap(check: Callable[[Actor, Any], bool]) -> Predicate:
        return Predicate(name, check, q)

    return wrap


NOBODY = Predicate("nobody", lambda actor, obj: False, lambda actor: NOTHING)
