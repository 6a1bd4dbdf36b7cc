"""A fixed school day for tests, so attendance tests mean the same on a Saturday or in August.

The persona world and the demo use the same term pattern (autumn 1 Sep - 19 Dec, spring
5 Jan - 2 Apr, summer 20 Apr - 22 Jul). Tests travel (with ``time-machine``) to the latest
weekday in term on or before the real date, before anything is built.
"""

from __future__ import annotations

import datetime

from commonroom.demo.terms import term_pattern


def last_school_day(on: datetime.date) -> datetime.date:
    """The latest weekday on or before ``on`` at least two weeks from either end of a term (so there
    is attendance to count before it, and school days after it for planned absences)."""
    day = on
    while True:
        year_start = day.year if day.month >= 9 else day.year - 1
        margin = datetime.timedelta(days=14)
        in_term = any(first + margin <= day <= last - margin for _n, first, last in term_pattern(year_start))
        if in_term and day.weekday() < 5:
            return day
        day -= datetime.timedelta(days=1)


def school_day_travel(on: datetime.date) -> datetime.datetime:
    """10:30 on the school day, in UTC (Europe/London is UTC or UTC+1: always mid-morning)."""
    return datetime.datetime.combine(last_school_day(on), datetime.time(10, 30), tzinfo=datetime.UTC)
