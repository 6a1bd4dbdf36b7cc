"""The demo build's self-review rows (the generator calls ``write_demo`` after writing the plan)."""

from __future__ import annotations

import pytest

from commonroom.selfreview.models import AspectAnswer, Framework, Review


@pytest.mark.django_db
def test_write_demo_loads_frameworks_and_gives_the_secondary_two_reviews(client) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from commonroom.demo.generator import SIZES, Planner, write_plan

    plan = Planner(SIZES["tiny"], 2026, timezone.localdate()).plan()
    said: list[str] = []
    write_plan(plan, 2026, said.append)  # the generator calls every app's write_demo, this one's included
    summary = next(line for line in said if "self-review" in line)
    assert Framework.objects.count() == 4 and "2 self-reviews" in summary
    finished, current = Review.objects.filter(title__contains="generated demo data").order_by("started_on")
    assert finished.status == Review.Status.COMPLETED and current.status == Review.Status.IN_PROGRESS
    assert not AspectAnswer.objects.filter(review=finished, level__isnull=True).exists()
    assert current.assignments.get().element.number == 2
    assert finished.institution_id == current.institution_id
