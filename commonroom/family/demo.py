"""Demo data for the parent portal: a few published events per school (the generator calls ``write_demo``)."""

from __future__ import annotations

import datetime
import random
from typing import Any


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    """Per school in ``plan`` (a ``commonroom.demo.generator.DemoPlan`` already written): a parents' evening
    (timed, whole school), a closure day (all day, whole school), a trip for one year group and a draft.
    Returns a line for the generator's log."""
    from django.utils import timezone

    from commonroom.family.models import Event

    rng = random.Random(seed + 5)
    rows: list[Event] = []
    audiences: list[tuple[int, int]] = []  # (index in rows, group id)
    for inst in plan.institutions:
        evening = today + datetime.timedelta(days=rng.randint(5, 25))
        starts = timezone.make_aware(datetime.datetime.combine(evening, datetime.time(16, 30)))
        rows.append(Event(institution_id=inst.id, title="Parents' evening", all_day=False, starts_at=starts,
                          ends_at=starts + datetime.timedelta(hours=3), start_date=evening, end_date=evening,
                          description="Ten-minute appointments with each teacher.", whole_school=True, published=True))
        closed = today + datetime.timedelta(days=rng.randint(20, 50))
        rows.append(Event(institution_id=inst.id, title="Staff training day: school closed to learners",
                          start_date=closed, end_date=closed, whole_school=True, published=True))
        years = [g for g in inst.groups if g.kind == "year" and g.id]
        if years:
            year = rng.choice(years)
            trip = today + datetime.timedelta(days=rng.randint(7, 40))
            rows.append(Event(institution_id=inst.id, title=f"{year.name} trip", start_date=trip, end_date=trip,
                              description="Packed lunch needed.", whole_school=False, published=True))
            audiences.append((len(rows) - 1, year.id))
        rows.append(Event(institution_id=inst.id, title="Summer fair (draft)", start_date=today + datetime.timedelta(days=90),
                          end_date=today + datetime.timedelta(days=90), whole_school=True, published=False))
    created = Event.objects.bulk_create(rows)
    Event.groups.through.objects.bulk_create(
        Event.groups.through(event_id=created[index].pk, group_id=group_id) for index, group_id in audiences)
    return f"{len(created)} school events"
