"""The signed-in person's calendar over the API: the same selector as the week page."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from commonroom.authz.actor import actor_for
from commonroom.calendar import selectors
from commonroom.common.api_schemas import READ_ERRORS

router = Router(tags=["calendar"])


class CalendarQuery(Schema):
    start: datetime.date | None = Field(None, description="First day (default: Monday of this week)")
    end: datetime.date | None = Field(None, description=f"Last day, inclusive (default: start + 6 days; at most {selectors.MAX_DAYS} days)")


class CalendarItemOut(Schema):
    kind: str = Field(description="homework, lesson, event, term or holiday (other apps may add kinds)")
    title: str
    day: datetime.date
    last_day: datetime.date
    all_day: bool
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    where: str
    detail: str
    url: str = Field(description="The page for the item, when there is one")
    uid: str


@router.get("/calendar", response={200: list[CalendarItemOut], **READ_ERRORS}, summary="Get my calendar")
def my_calendar(request: HttpRequest, query: Query[CalendarQuery]) -> list[dict[str, Any]]:
    """Homework due, lessons, school events, term dates and holidays from ``start`` to ``end`` for you (a learner:
    your classes' homework with your hand-in's status; a teacher: your classes' homework with how many handed in)."""
    from commonroom.calendar.views import EARLIEST, LATEST

    for name in ("start", "end"):
        given = getattr(query, name)
        if given is not None and not EARLIEST <= given <= LATEST:
            raise ValidationError({name: [f"Give a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}."]})
    start = query.start or selectors.monday_of(timezone.localdate())
    end = query.end or start + datetime.timedelta(days=6)
    if end < start:
        raise ValidationError({"end": ["The end must be on or after the start."]})
    if (end - start).days >= selectors.MAX_DAYS:
        raise ValidationError({"end": [f"Ask for at most {selectors.MAX_DAYS} days at a time."]})
    return [{"kind": i.kind, "title": i.title, "day": i.day, "last_day": i.end_day, "all_day": i.all_day,
             "starts_at": i.starts_at, "ends_at": i.ends_at, "where": i.where, "detail": i.detail,
             "url": i.url, "uid": i.uid} for i in selectors.upcoming_for(actor_for(request), start, end)]
