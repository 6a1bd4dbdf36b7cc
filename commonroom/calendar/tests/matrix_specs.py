"""Authorisation specs for the calendar: the week page and the API answer for the signed-in person only
(what each sees is tested in ``test_calendar.py``)."""

from __future__ import annotations

from commonroom.testing.matrix import SIGNED_IN, Spec

PAGE_SPECS = {
    "calendar:week": Spec(lambda w, t: "/calendar/week/", SIGNED_IN),
}

API_SPECS = {
    ("get", "/api/v1/calendar"): Spec(lambda w, t: "", SIGNED_IN),
}
