"""Messages from school reach families as alerts: a staff reply tells the parent in the conversation (only),
a broadcast tells each recipient once; a family's own message alerts nobody."""

from __future__ import annotations

import datetime

from django.core import mail

from commonroom.common.dates import today
from commonroom.messaging import services
from commonroom.notifications.models import AlertSettings, Delivery
from commonroom.people.models import ContactLink, Person


def _offer_messages(world, inst: str = "a1") -> None:  # type: ignore[no-untyped-def]
    AlertSettings.objects.update_or_create(institution=world.institutions[inst], defaults={"offered": ["message"]})


def _message_alerts() -> list[tuple[int, str]]:
    return sorted(Delivery.objects.filter(kind="message").exclude(key__startswith="world:")
                  .values_list("recipient_id", "key"))


def test_a_staff_reply_alerts_the_parent_in_the_conversation_only(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _offer_messages(world)
    other = Person.objects.create(given_name="Other", family_name="Parent", email="other@example.org")
    ContactLink.objects.create(learner=world.learners["a1.learnerA1"], contact=other, relationship="parent",
                               start_date=today() - datetime.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        conversation = services.conversation_start(
            actor=world.actor("parent.a1"), learner=world.learners["a1.learnerA1"], institution=world.institutions["a1"],
            addressed_to="office", subject="Dentist", body="Leaving at 2pm on Friday.")
    assert _message_alerts() == []  # the family's own message tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        message = services.conversation_reply(actor=world.actor("a1.office"), conversation=conversation,
                                              body="Thank you, noted.")
    assert _message_alerts() == [(world.people["parent.a1"].pk, f"message:{message.pk}")]
    assert "Thank you, noted." in mail.outbox[-1].body
    assert f"/messages/conversations/{conversation.pk}/" in mail.outbox[-1].body


def test_a_reply_alerts_nobody_when_the_school_has_not_switched_message_alerts_on(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        conversation = services.conversation_start(
            actor=world.actor("parent.a1"), learner=world.learners["a1.learnerA1"], institution=world.institutions["a1"],
            addressed_to="office", subject="Dentist", body="Friday.")
        services.conversation_reply(actor=world.actor("a1.office"), conversation=conversation, body="Noted.")
    assert _message_alerts() == []


def test_a_broadcast_alerts_each_recipient_once(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _offer_messages(world)
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = services.broadcast_send(actor=world.actor("a1.office"), institution=world.institutions["a1"],
                                            subject="Trip", body="Coats, please.", group=world.groups["a1.formA"])
    recipients = set(broadcast.recipients.values_list("person_id", flat=True))
    alerts = _message_alerts()
    assert {person for person, _key in alerts} == recipients
    assert len(alerts) == len(recipients)  # once each, whatever the number of their children in the group
    assert world.people["parent.barred"].pk not in recipients
