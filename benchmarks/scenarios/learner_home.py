"""A learner's home page ("what's coming up"), to-do list and calendar week across 10 classes.

demo.learner is put in 10 teaching groups of their school (joining more groups of their year if they are in
fewer), inside a transaction rolled back afterwards. Server time (p50, p95, ms) and the query count of
``/`` (home with "what's coming up"), ``/homework/`` (the to-do list across every class), ``/calendar/week/``
and ``GET /api/v1/calendar``; then each class gets 20 more pieces of homework due this week and the pages are
measured again: the query counts stay the same.
"""

from __future__ import annotations

import datetime

from benchmarks.scenarios.attendance import _summary, _timed

CLASSES = 10
MORE_HOMEWORK_PER_CLASS = 20
PAGES = {"home": "/", "todo_list": "/homework/", "calendar_week": "/calendar/week/", "calendar_api": "/api/v1/calendar"}


def _ten_classes(learner) -> list[int]:  # type: ignore[no-untyped-def]
    from commonroom.common.dates import in_force, today
    from commonroom.people.models import Group, GroupMembership

    mine = list(GroupMembership.objects.filter(in_force(on=today()), learner=learner, group__kind=Group.Kind.TEACHING)
                .values_list("group_id", flat=True))
    if len(mine) < CLASSES:
        sample = Group.objects.get(pk=mine[0]) if mine else None
        others = (Group.objects.filter(kind=Group.Kind.TEACHING, academic_year__start_date__lte=today(),
                                       academic_year__end_date__gte=today())
                  .exclude(pk__in=mine).order_by("pk"))
        if sample is not None:
            others = others.filter(institution_id=sample.institution_id)
        for group in others[:CLASSES - len(mine)]:
            GroupMembership.objects.create(institution_id=group.institution_id, group=group, learner=learner,
                                           start_date=today() - datetime.timedelta(days=7))
            mine.append(group.pk)
    return mine[:CLASSES] if len(mine) >= CLASSES else mine


def _more_homework(group_ids: list[int]) -> int:
    from django.utils import timezone

    from commonroom.learning.models import Assignment
    from commonroom.people.models import Group

    now = timezone.now()
    rows = [Assignment(institution_id=inst, group_id=pk, title=f"Benchmark homework {n}", state="set",
                       due_at=now + datetime.timedelta(hours=6 + n * 7))
            for pk, inst in Group.objects.filter(pk__in=group_ids).values_list("pk", "institution_id")
            for n in range(MORE_HOMEWORK_PER_CLASS)]
    Assignment.objects.bulk_create(rows)
    return len(rows)


def run(*, repeat: int) -> dict:
    from django.db import transaction
    from django.test import Client

    from commonroom.identity.models import User
    from commonroom.people.models import Learner

    user = User.objects.get(username="demo.learner")
    learner = Learner.objects.get(pk=user.person_id)
    client = Client()
    client.force_login(user)
    client.get("/")
    result: dict = {}
    with transaction.atomic():
        classes = _ten_classes(learner)
        result["classes"] = len(classes)
        before = {}
        for name, url in PAGES.items():
            timings, queries, response = _timed(client, "get", url, repeat)
            before[name] = _summary(timings, queries, bytes=len(response.content))  # type: ignore[attr-defined]
        added = _more_homework(classes)
        after = {}
        for name, url in PAGES.items():
            timings, queries, response = _timed(client, "get", url, repeat)
            after[name] = _summary(timings, queries, bytes=len(response.content))  # type: ignore[attr-defined]
        transaction.set_rollback(True)
    result["pages"] = before
    result["pages_with_more_homework"] = after
    result["homework_added"] = added
    result["query_count_constant"] = all(before[name]["queries"] == after[name]["queries"] for name in PAGES)
    return result
