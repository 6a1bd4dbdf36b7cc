"""The quizzes app's demo rows (called by the demo generator, ``APP_DEMO_ORDER``)."""

from __future__ import annotations

import datetime
from typing import Any


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    from commonroom.quizzes import practice_demo

    return practice_demo.write_demo(plan, today, seed)
