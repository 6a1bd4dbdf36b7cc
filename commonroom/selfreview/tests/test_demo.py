"""The demo build's self-review rows (the generator calls ``write_demo`` after writing the plan)."""

from __future__ import annotations

import pytest

from commonroom.selfreview.models import AspectAnswer, Framework, Review


@pytest.mark.django_db
def test_write_demo_loads_frameworks_and_gives_the_secondary_two_reviews(client) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from commonroom.demo.generator import SIZES, Planner, write_plan
    from commonroom.selfreview.demo import write_demo

    plan = Planner(SIZES["tiny"], 2026, timezone.localdate()).plan()
    write_plan(plan, 2026, lambda *a, **k: None)
    summary = write_demo(plan, plan.today, 2026)
    assert Framework.objects.count() == 4 and "2 self-reviews" in summary
    finished, current = Review.objects.filter(title__contains="generated demo data").order_by("started_on")
    assert finished.status == Review.Status.COMPLETED and current.status == Review.Status.IN_PROGRESS
    assert not AspectAnswer.objects.filter(review=finished, level__isnull=True).exists()
    assert current.assignments.get().element.number == 2
    assert finished.institution_id == current.institution_id
