"""Rows the parent portal adds to the persona world.

- ``a1``: a published event "Form A trip" for form A only (in a week's time, all day); a draft
  "Staff INSET (draft)" for the whole school, not published (staff see it, families do not); contact
  details (phone and email) for families.
- ``b1``: a published whole-school event "Sports day" (timed, in two weeks' time).
- ``a2``: a published event "Year 10 maths evening" for a2's maths group (no family persona there).

So: parent.a1 and a1.learnerA1 see "Form A trip"; parent.two sees "Form A trip" (a1.learnerA2) and
"Sports day" (b1.learnerA1); a1.learnerB1 sees nothing at a1; parent.barred sees nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from commonroom.common.dates import today


def extend(world: Any) -> None:  # a commonroom.testing.world.World
    from commonroom.family.models import Event, SchoolContact

    week = today() + datetime.timedelta(days=7)
    trip = Event.objects.create(institution=world.institutions["a1"], title="Form A trip", description="Museum visit",
                                start_date=week, end_date=week, whole_school=False, published=True)
    trip.groups.set([world.groups["a1.formA"]])
    Event.objects.create(institution=world.institutions["a1"], title="Staff INSET (draft)", start_date=week,
                         end_date=week, whole_school=True, published=False)
    starts = timezone.now().replace(hour=13, minute=0, second=0, microsecond=0) + datetime.timedelta(days=14)
    Event.objects.create(institution=world.institutions["b1"], title="Sports day", all_day=False, starts_at=starts,
                         ends_at=starts + datetime.timedelta(hours=3), start_date=timezone.localtime(starts).date(),
                         end_date=timezone.localtime(starts).date(), whole_school=True, published=True)
    evening = Event.objects.create(institution=world.institutions["a2"], title="Year 10 maths evening", start_date=week,
                                   end_date=week, whole_school=False, published=True)
    evening.groups.set([world.groups["a2.maths"]])
    SchoolContact.objects.create(institution=world.institutions["a1"], phone="01234 567890", email="office@a1.example.org",
                                 note="The office is open 8am to 4pm")
