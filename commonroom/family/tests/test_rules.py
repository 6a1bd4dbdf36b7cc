"""The parent portal's rules against the independent oracle, over the persona world."""

from __future__ import annotations

import pytest

from commonroom.authz.api import can, visible
from commonroom.family.models import Event
from commonroom.testing import oracle_family

PERSONAS = ["a1.head", "a1.leader", "a1.senco", "a1.dsl", "a1.office", "a1.teacher", "a1.teacher2", "a1.tutor",
            "a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "a1.leaver", "b1.head", "b1.office", "b1.teacher",
            "b1.learnerA1", "a2.head", "parent.a1", "parent.two", "parent.barred", "la1.officer", "platform.admin",
            "nobody"]
LEARNERS = ["a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "a1.leaver", "b1.learnerA1", "b1.learnerB1", "solo.learnerA1"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_child_page_rule_agrees_with_the_oracle(world, persona: str) -> None:
    actor = world.actor(persona)
    for learner in LEARNERS:
        assert can(actor, "view_family_page", world.learners[learner]) == oracle_family.may_view_child_page(
            persona, learner), learner


@pytest.mark.parametrize("persona", PERSONAS)
def test_event_rules_agree_with_the_oracle(world, persona: str) -> None:
    actor = world.actor(persona)
    seen = set(visible(actor, Event).values_list("title", flat=True))
    for event in Event.objects.all():
        expected = oracle_family.may_view_event(persona, event.title)
        assert can(actor, "view", event) == expected, event.title
        assert (event.title in seen) == expected, event.title
        inst = next(key for key, inst in world.institutions.items() if inst.pk == event.institution_id)
        assert can(actor, "manage", event) == oracle_family.may_manage_events(persona, inst)
    for inst in ("a1", "b1", "a2"):
        assert can(actor, "manage_events", world.institutions[inst]) == oracle_family.may_manage_events(persona, inst)
        assert can(actor, "view_events", world.institutions[inst]) == oracle_family.may_view_events_of(persona, inst)
