"""Completed reviews written in bulk, for the demo, the benchmark and tests (no rules: the caller is the
system). Every aspect of an element gets the element's level, so the element's mean level is that level."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from commonroom.selfreview.models import Aspect, AspectAnswer, Framework, Review

GENERATED = "Generated"


@dataclass(frozen=True)
class ReviewSpec:
    institution_id: int
    person_id: int
    completed_on: datetime.date
    level: Callable[[int], int]  # element number -> level of each of its aspects
    title: str = "Self-review (generated)"


def write_completed_reviews(framework: Framework, specs: Iterable[ReviewSpec], batch_size: int = 2000) -> list[Review]:
    specs = list(specs)
    aspects = list(Aspect.objects.filter(element__framework=framework).select_related("element").order_by("pk"))
    reviews = Review.objects.bulk_create(
        [Review(institution_id=s.institution_id, framework=framework, title=s.title, status=Review.Status.COMPLETED,
                started_by_id=s.person_id, started_on=s.completed_on - datetime.timedelta(days=30),
                completed_on=s.completed_on, completed_by_id=s.person_id) for s in specs], batch_size=batch_size)
    assert all(r.pk for r in reviews), "the database returned no ids from the bulk insert"
    answers: list[AspectAnswer] = []
    for review, spec in zip(reviews, specs, strict=True):
        levels = {number: spec.level(number) for number in {a.element.number for a in aspects}}
        answers.extend(AspectAnswer(institution_id=spec.institution_id, review=review, aspect=a, element=a.element,
                                    level=levels[a.element.number], notes=GENERATED, version=1,
                                    updated_by_id=spec.person_id) for a in aspects)
    AspectAnswer.objects.bulk_create(answers, batch_size=batch_size)
    return reviews
