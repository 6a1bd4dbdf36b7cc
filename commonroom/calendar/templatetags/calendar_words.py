"""Times and days in words, as GOV.UK writes them: 9am, 2:30pm, midday; Monday 7 December."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


def clock(moment: datetime.datetime | datetime.time) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).time()
    if moment.hour == 12 and moment.minute == 0:
        return _("midday")
    if moment.hour == 0 and moment.minute == 0:
        return _("midnight")
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def day_words(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


@register.filter
def time_words(moment: datetime.datetime | None) -> str:
    return clock(moment) if moment is not None else ""


@register.filter
def day_in_words(day: datetime.date | None) -> str:
    return day_words(day) if day is not None else ""


@register.filter
def local_iso(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).isoformat() if moment is not None else ""
