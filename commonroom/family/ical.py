"""The calendar feed as iCalendar (RFC 5545), built with the ``icalendar`` package."""

from __future__ import annotations

import datetime

from icalendar import Calendar
from icalendar import Event as IcalEvent

from commonroom.family.selectors import FeedItem


def render_feed(items: list[FeedItem], *, name: str = "Commonroom") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Commonroom//Parent portal//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", datetime.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    for item in items:
        event = IcalEvent()
        event.add("uid", item.uid)
        event.add("dtstamp", item.stamp)
        event.add("summary", f"{item.summary} – {item.institution}" if item.institution and item.institution not in item.summary
                  else item.summary)
        if item.institution:
            event.add("location", item.institution)
        if item.description:
            event.add("description", item.description)
        if item.starts_at is not None and item.ends_at is not None:
            event.add("dtstart", item.starts_at)
            event.add("dtend", item.ends_at)
        else:
            assert item.start_date is not None
            event.add("dtstart", item.start_date)
            # DTEND of an all-day event is exclusive: the day after the last day.
            event.add("dtend", (item.end_date or item.start_date) + datetime.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
