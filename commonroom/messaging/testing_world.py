"""Messaging rows in the persona world.

- ``parent.a1`` has a conversation with a1 about ``a1.learnerA1``, addressed to the form tutor
  (subject "World: tutor"), with a reply from ``a1.tutor``; status waiting for family.
- ``parent.a1`` has a conversation with a1 about ``a1.learnerA1`` addressed to the office, assigned to
  ``a1.senco`` (subject "World: office"), open and unanswered.
- ``parent.two`` has a conversation with b1 about ``b1.learnerA1`` addressed to the office ("World: b1").
- ``parent.barred`` started a conversation about ``a1.learnerA1`` before the bar ("World: before the bar"):
  they no longer see it; the office does.
- a broadcast from ``a1.tutor`` to the parents of ``a1.formA`` ("World: form A trip"): recipients
  ``parent.a1`` and ``parent.two`` (``parent.barred`` is barred, so not a recipient); ``parent.a1`` has read it.
- a broadcast from ``b1.office`` to the parents of ``b1.year10`` ("World: b1 year 10"): recipient ``parent.two``.
- messaging settings at a1 (links allowed); everywhere else the defaults.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone


def extend(world: Any) -> None:
    """``world`` is ``commonroom.testing.world.World`` (not imported: the type checker stays in this app)."""
    from commonroom.messaging.models import (
        Broadcast,
        BroadcastRecipient,
        Conversation,
        Message,
        MessageRead,
        MessagingSettings,
    )

    now = timezone.now()
    a1, b1 = world.institutions["a1"], world.institutions["b1"]
    MessagingSettings.objects.create(institution=a1, allow_links=True)

    def conversation(inst, parent, learner, to, subject, *, assignee=None, replier=None, hours=48):  # type: ignore[no-untyped-def]
        start = now - datetime.timedelta(hours=hours)
        conv = Conversation.objects.create(
            institution=inst, learner=world.learners[learner], started_by=world.people[parent], addressed_to=to,
            subject=subject, status="waiting" if replier else "open", last_message_at=start,
            unanswered_since=None if replier else start, assignee=world.people[assignee] if assignee else None,
        )
        first = Message.objects.create(institution=inst, conversation=conv, author=world.people[parent], from_family=True,
                                       body=f"{subject}: a question from home.")
        MessageRead.objects.create(message=first, person=world.people[parent], read_at=start)
        if replier:
            reply = Message.objects.create(institution=inst, conversation=conv, author=world.people[replier],
                                           from_family=False, body="Thank you, see https://example.org/trip.")
            MessageRead.objects.create(message=reply, person=world.people[replier], read_at=now)
        return conv

    conversation(a1, "parent.a1", "a1.learnerA1", "tutor", "World: tutor", replier="a1.tutor")
    conversation(a1, "parent.a1", "a1.learnerA1", "office", "World: office", assignee="a1.senco", hours=30)
    conversation(b1, "parent.two", "b1.learnerA1", "office", "World: b1", hours=20)
    conversation(a1, "parent.barred", "a1.learnerA1", "office", "World: before the bar", hours=400)

    trip = Broadcast.objects.create(institution=a1, sender=world.people["a1.tutor"], group=world.groups["a1.formA"],
                                    audience="10A", subject="World: form A trip", body="Coats, please.", sent_at=now)
    BroadcastRecipient.objects.create(institution=a1, broadcast=trip, person=world.people["parent.a1"], read_at=now)
    BroadcastRecipient.objects.create(institution=a1, broadcast=trip, person=world.people["parent.two"])
    year = Broadcast.objects.create(institution=b1, sender=world.people["b1.office"], group=world.groups["b1.year10"],
                                    audience="Year 10", subject="World: b1 year 10", body="Exams start soon.", sent_at=now)
    BroadcastRecipient.objects.create(institution=b1, broadcast=year, person=world.people["parent.two"])
