"""Demo alerts: every demo school sends every alert kind (absence to priority-1 contacts, incidents of
high severity or worse). Contacts keep the default channels. The generator calls ``write_demo``."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from commonroom.notifications.models import OFFERED_KINDS, AlertSettings

if TYPE_CHECKING:
    from commonroom.demo.generator import DemoPlan


def write_demo(plan: DemoPlan, today: datetime.date, seed: int) -> str:
    del today, seed  # the same settings every time
    AlertSettings.objects.bulk_create(
        [AlertSettings(institution_id=inst.id, offered=list(OFFERED_KINDS)) for inst in plan.institutions],
        ignore_conflicts=True)
    return f"alerts switched on at {len(plan.institutions)} schools"
