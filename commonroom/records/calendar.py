"""School days: weekdays inside one of the institution's terms."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from commonroom.organisations.models import Term


def term_spans(institution_id: int, start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    return list(
        Term.objects.filter(institution_id=institution_id, start_date__lte=end, end_date__gte=start)
        .order_by("start_date")
        .values_list("start_date", "end_date")
    )


def school_days(
    institution_id: int, start: datetime.date, end: datetime.date, spans: list[tuple[datetime.date, datetime.date]] | None = None
) -> Iterator[datetime.date]:
    """Every school day from ``start`` to ``end`` inclusive, in order."""
    for first, last in spans if spans is not None else term_spans(institution_id, start, end):
        day = max(first, start)
        while day <= min(last, end):
            if day.weekday() < 5:
                yield day
            day += datetime.timedelta(days=1)


def is_school_day(institution_id: int, day: datetime.date) -> bool:
    return day.weekday() < 5 and Term.objects.filter(
        institution_id=institution_id, start_date__lte=day, end_date__gte=day
    ).exists()


def is_open(institution_id: int, day: datetime.date) -> bool:
    """A school day on which the school is not closed (no planned whole-school closure, #, that day)."""
    from commonroom.records.codes import CLOSURE_CODE
    from commonroom.records.models import AttendanceMark

    return is_school_day(institution_id, day) and not AttendanceMark.objects.filter(
        institution_id=institution_id, date=day, code=CLOSURE_CODE).exists()


def closed_sessions(institution_id: int, start: datetime.date, end: datetime.date) -> set[tuple[datetime.date, str]]:
    """(day, session) from ``start`` to ``end`` on which the school was closed: a planned whole-school
    closure (#) was recorded for that session (``closure_record`` records it for every learner on roll;
    one such mark is enough). One query."""
    from commonroom.records.codes import CLOSURE_CODE
    from commonroom.records.models import AttendanceMark

    return set(AttendanceMark.objects.filter(institution_id=institution_id, date__gte=start, date__lte=end,
                                             code=CLOSURE_CODE).order_by().values_list("date", "session").distinct())
