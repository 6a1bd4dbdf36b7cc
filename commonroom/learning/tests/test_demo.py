"""The demo hook: generated course spaces and homework on the ``tiny`` demo."""

from __future__ import annotations

import pytest

from commonroom.demo import generator
from commonroom.learning.demo import write_demo
from commonroom.learning.models import Assignment, CourseSpace, Submission
from commonroom.people.models import Group

pytestmark = pytest.mark.django_db


def test_write_demo_gives_every_teaching_group_homework(monkeypatch) -> None:
    lines: list[str] = []
    original = generator.write_plan

    def write_plan_and_learning(plan, seed, say):  # type: ignore[no-untyped-def]
        original(plan, seed, say)
        if not CourseSpace.objects.exists():  # the generator calls it itself once it knows app demo hooks
            lines.append(write_demo(plan, plan.today, seed))

    monkeypatch.setattr(generator, "write_plan", write_plan_and_learning)
    generator.build("tiny", reset=True)
    teaching = Group.objects.filter(kind=Group.Kind.TEACHING)
    assert CourseSpace.objects.filter(group__in=teaching).count() == teaching.count() > 0
    assert Assignment.objects.filter(returned_at__isnull=False).count() == teaching.count()
    returned = Submission.objects.filter(assignment__returned_at__isnull=False)
    assert returned.exists() and not returned.filter(mark="").exists()
    assert Submission.objects.filter(late=True).exists()
    assert all("(generated)" in line for line in lines)
