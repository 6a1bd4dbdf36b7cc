"""Homework not handed in by its due time alerts the families of those who have not handed it in, once."""

from __future__ import annotations

import datetime
from unittest import mock

from django.utils import timezone

from commonroom.learning import services as learning
from commonroom.learning.models import Assignment, Submission
from commonroom.notifications import tasks
from commonroom.notifications.models import AlertSettings, Delivery


def _offer(world) -> None:  # type: ignore[no-untyped-def]
    AlertSettings.objects.update_or_create(institution=world.institutions["a1"], defaults={"offered": ["homework"]})


def _homework_alerts() -> set[tuple[int, str]]:
    return set(Delivery.objects.filter(kind="homework").values_list("recipient_id", "key"))


def test_setting_homework_queues_a_run_for_its_due_time(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _offer(world)
    due = timezone.now() + datetime.timedelta(days=2)
    with mock.patch("commonroom.notifications.services.homework_alerts_on_commit") as queued, \
            django_capture_on_commit_callbacks(execute=True):
        homework = learning.assignment_save(actor=world.actor("a1.teacher"), group=world.groups["a1.maths"],
                                            title="Ratios", due_at=due, state=Assignment.State.SET)
    queued.assert_called_once_with(assignment_id=homework.pk, due_at=homework.due_at)
    # The run now (the tests' queue runs at once) finds it not yet due: nobody is told.
    assert tasks.homework_alerts.call(assignment_id=homework.pk, due_at=homework.due_at.isoformat()) == 0


def test_at_the_due_time_the_families_of_those_without_a_hand_in_are_told_once(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _offer(world)
    homework = Assignment.objects.get(group=world.groups["a1.maths"], title="Fractions")
    Assignment.objects.filter(pk=homework.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=5))
    homework.refresh_from_db()
    handed = set(Submission.objects.filter(assignment=homework, handed_in_at__isnull=False).values_list("learner_id", flat=True))
    assert world.learners["a1.learnerA1"].pk in handed
    with django_capture_on_commit_callbacks(execute=True):
        tasks.homework_alerts.call(assignment_id=homework.pk, due_at=homework.due_at.isoformat())
        tasks.homework_alerts.call(assignment_id=homework.pk, due_at=homework.due_at.isoformat())  # a second run
    alerts = _homework_alerts()
    assert (world.people["parent.two"].pk, f"homework:{homework.pk}:{world.learners['a1.learnerA2'].pk}") in alerts
    assert not any(person == world.people["parent.a1"].pk for person, _key in alerts)  # learnerA1 handed it in
    assert not any(person == world.people["parent.barred"].pk for person, _key in alerts)
    assert Delivery.objects.filter(kind="homework", recipient=world.people["parent.two"]).count() == 1


def test_a_run_for_an_old_due_time_does_nothing(world) -> None:  # type: ignore[no-untyped-def]
    _offer(world)
    homework = Assignment.objects.get(group=world.groups["a1.maths"], title="Fractions")
    old = (homework.due_at - datetime.timedelta(days=30)).isoformat()
    assert tasks.homework_alerts.call(assignment_id=homework.pk, due_at=old) == 0
    assert _homework_alerts() == set()


def test_homework_set_on_the_page_in_summer_time_alerts_at_its_due_time(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """The page gives a London time (BST, +01:00 in June); the database reads it back in UTC: the run still fires."""
    import zoneinfo

    import time_machine

    _offer(world)
    london = zoneinfo.ZoneInfo("Europe/London")
    due = datetime.datetime(timezone.localdate().year + 1, 6, 15, 16, 0, tzinfo=london)
    with mock.patch("commonroom.notifications.tasks.homework_alerts") as queued, \
            django_capture_on_commit_callbacks(execute=True):
        queued.get_backend.return_value.supports_defer = False
        homework = learning.assignment_save(actor=world.actor("a1.teacher"), group=world.groups["a1.maths"],
                                            title="Summer ratios", due_at=due, state=Assignment.State.SET)
    due_text = queued.enqueue.call_args.kwargs["due_at"]
    assert datetime.datetime.fromisoformat(due_text) == due and due_text.endswith("+00:00")
    with time_machine.travel(due + datetime.timedelta(minutes=5)), \
            django_capture_on_commit_callbacks(execute=True):
        assert tasks.homework_alerts.call(assignment_id=homework.pk, due_at=due_text) > 0
        # A run enqueued before this fix (the London offset) names the same instant: also recognised (idempotent).
        assert tasks.homework_alerts.call(assignment_id=homework.pk, due_at=due.isoformat()) == 0
    assert (world.people["parent.two"].pk, f"homework:{homework.pk}:{world.learners['a1.learnerA2'].pk}") in _homework_alerts()
