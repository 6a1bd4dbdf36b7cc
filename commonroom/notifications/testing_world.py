"""Alert rows in the persona world, for the rule-agreement test and the matrix.

Alert settings stay at their defaults (nothing offered), so no other test sends alerts. Four deliveries:

    world:a1:failed    email to parent.a1 about a1.learnerA1 at a1, failed after every try
    world:a1:barred    text to parent.barred about a1.learnerA1 at a1, skipped (no mobile): the bar
                       hides it from parent.barred
    world:a1:sent      email to parent.two about a1.learnerA2 at a1, sent
    world:b1:failed    text to parent.two about b1.learnerA1 at b1, failed (parent.two has no mobile
                       in the world; the matrix gives them one before it tries again)
"""

from __future__ import annotations

from typing import Any


def extend(world: Any) -> None:
    from commonroom.notifications.models import AlertKind, Channel, Delivery

    rows = [
        ("world:a1:failed", "a1", "parent.a1", "a1.learnerA1", Channel.EMAIL, Delivery.Status.FAILED, "Mail server down"),
        ("world:a1:barred", "a1", "parent.barred", "a1.learnerA1", Channel.SMS, Delivery.Status.SKIPPED,
         "No UK mobile number on record."),
        ("world:a1:sent", "a1", "parent.two", "a1.learnerA2", Channel.EMAIL, Delivery.Status.SENT, ""),
        ("world:b1:failed", "b1", "parent.two", "b1.learnerA1", Channel.SMS, Delivery.Status.FAILED, "Provider refused"),
    ]
    for key, inst, who, learner, channel, status, error in rows:
        person = world.people[who]
        Delivery.objects.create(
            institution=world.institutions[inst], recipient=person, channel=channel, key=key, kind=AlertKind.ABSENCE,
            learner=world.learners[learner], address=person.email if channel == Channel.EMAIL else "",
            subject="Not marked present this morning", body="Please contact the school.", status=status,
            attempts=0 if status == Delivery.Status.SKIPPED else 1, last_error=error,
        )
