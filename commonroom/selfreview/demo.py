"""Self-review rows for the demo build: the frameworks, and the demo secondary's reviews (generated).

``write_demo(plan, today, seed)`` is called by the demo generator after people and roles are written.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

GENERATED = "Generated demo answer"


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    """Load the shipped frameworks, then give the demo head's school a review of the schools framework
    completed about a year ago and one in progress (element 2 assigned to demo.teacher). Generated data."""
    from commonroom.authz.actor import Actor
    from commonroom.selfreview.models import Aspect, AspectAnswer, ElementAssignment, Framework, Review
    from commonroom.selfreview.services import frameworks_load

    report = frameworks_load(actor=Actor.system("demo"))
    if report.errors:
        raise RuntimeError("; ".join(str(error) for error in report.errors))
    head = plan.accounts["demo.head"]
    teacher = plan.accounts["demo.teacher"]
    school = next(inst for inst in plan.institutions if any(person is head for person, _role in inst.roles))
    framework = Framework.objects.get(slug="schools", version=1)
    aspects = list(Aspect.objects.filter(element__framework=framework).select_related("element").order_by(
        "element__number", "strand__position", "position"))
    rng = random.Random(seed + 70)

    last_year = Review.objects.create(
        institution_id=school.id, framework=framework, title="Self-review (generated demo data)",
        status=Review.Status.COMPLETED, started_by_id=head.id, started_on=today - datetime.timedelta(days=400),
        completed_on=today - datetime.timedelta(days=365), completed_by_id=head.id)
    earlier = {a.pk: rng.choice((3, 4, 4, 4, 5)) for a in aspects}
    AspectAnswer.objects.bulk_create(
        AspectAnswer(institution_id=school.id, review=last_year, aspect=a, element=a.element, level=earlier[a.pk],
                     notes=GENERATED, version=1, updated_by_id=head.id) for a in aspects)

    current = Review.objects.create(
        institution_id=school.id, framework=framework, title="Self-review this year (generated demo data)",
        started_by_id=head.id, started_on=today - datetime.timedelta(days=21))
    ElementAssignment.objects.create(institution_id=school.id, review=current, element=next(
        a.element for a in aspects if a.element.number == 2), person_id=teacher.id, assigned_by_id=head.id)
    answered = 0
    rows = []
    for a in aspects:
        level = None
        by = None
        if a.element.number in (1, 2, 7) and rng.random() < 0.8:
            level = max(1, earlier[a.pk] - rng.choice((0, 1, 1, 2)))
            by = teacher.id if a.element.number == 2 else head.id
            answered += 1
        rows.append(AspectAnswer(institution_id=school.id, review=current, aspect=a, element=a.element, level=level,
                                 notes=GENERATED if level else "", version=1 if level else 0, updated_by_id=by,
                                 evidence=[{"kind": "note", "text": "Generated: governors' minutes"}] if level else []))
    AspectAnswer.objects.bulk_create(rows)
    from commonroom.selfreview.models import CharterRecord, CharterStage

    CharterRecord.objects.create(institution_id=school.id, stage=CharterStage.COMMITTED, recorded_by_id=head.id,
                                 recorded_on=today - datetime.timedelta(days=420), notes=GENERATED)
    from commonroom.selfreview.demo_plans import write_plans_demo

    more = write_plans_demo(plan, today, seed, school.id)
    return (f"{Framework.objects.count()} framework versions; the Charter committed and 2 self-reviews at {school.name} "
            f"(one completed, one in progress with {answered} of {len(aspects)} aspects answered); {more}")
