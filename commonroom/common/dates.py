"""Dated records: a row is in force on a day when it has started and not yet ended."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()


def in_force(prefix: str = "", on: datetime.date | None = None) -> Q:
    """Q for rows (reached through ``prefix``, e.g. ``"memberships__"``) in force on ``on``."""
    day = on or today()
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )

