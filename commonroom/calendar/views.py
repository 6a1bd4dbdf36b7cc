"""The calendar's week view: each day of the week with its homework, lessons, events and term dates."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from commonroom.authz.actor import actor_for
from commonroom.calendar import selectors
from commonroom.calendar.forms import WeekForm

EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


@login_required
def week(request: HttpRequest) -> HttpResponse:
    """``?date=YYYY-MM-DD`` picks the week holding that day (this week without it). A bad date is named in the
    form and this week is shown."""
    actor = actor_for(request)
    form = WeekForm(request.GET) if "date" in request.GET else WeekForm(initial={"date": timezone.localdate()})
    day = timezone.localdate()
    if form.is_bound:
        if form.is_valid() and not EARLIEST <= form.cleaned_data["date"] <= LATEST:
            form.add_error("date", WeekForm.base_fields["date"].error_messages["invalid"])
        if form.is_valid():
            day = form.cleaned_data["date"]
    days = selectors.week_for(actor, day)
    monday = days[0].day
    return render(request, "calendar/week.html", {
        "days": days, "form": form, "monday": monday, "sunday": days[-1].day,
        "previous": monday - datetime.timedelta(days=7), "next": monday + datetime.timedelta(days=7),
        "this_week": selectors.monday_of(timezone.localdate()) == monday,
        "empty": not any(d.items for d in days)})
