"""The demo hook writes generated conversations and a broadcast per school, all inside each school."""

from __future__ import annotations

import pytest
from django.utils import timezone

from commonroom.demo.generator import SIZES, Planner, clear_all, write_plan
from commonroom.messaging.demo import write_demo
from commonroom.messaging.models import Broadcast, BroadcastRecipient, Conversation, Message

pytestmark = pytest.mark.django_db


def test_write_demo_on_the_tiny_plan() -> None:
    clear_all()
    plan = Planner(SIZES["tiny"], 2026, timezone.localdate()).plan()
    write_plan(plan, 2026, lambda *a: None)
    summary = write_demo(plan, plan.today, 2026)
    assert "generated conversations" in summary
    assert Conversation.objects.count() >= len(plan.institutions)
    assert Broadcast.objects.exists() and BroadcastRecipient.objects.exists()
    for message in Message.objects.select_related("conversation"):
        assert message.institution_id == message.conversation.institution_id
    barred = {(link.contact.id, link.learner.person.id) for link in plan.links if link.access_barred}
    assert not barred & set(Conversation.objects.values_list("started_by_id", "learner_id"))
