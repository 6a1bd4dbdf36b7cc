"""Demo alerts: every demo school sends every alert kind (absence to priority-1 contacts, incidents of
high severity or worse). Contacts keep the default channels. The generator calls ``write_demo``."""

from __future__ import annotations

import datetime
from typing import Any

from commonroom.notifications.models import OFFERED_KINDS, AlertSettings


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    """``plan`` is the generator's ``DemoPlan`` (its ``institutions`` have an ``id``)."""
    del today, seed  # the same settings every time
    AlertSettings.objects.bulk_create(
        [AlertSettings(institution_id=inst.id, offered=list(OFFERED_KINDS)) for inst in plan.institutions],
        ignore_conflicts=True)
    return f"alerts switched on at {len(plan.institutions)} schools"
