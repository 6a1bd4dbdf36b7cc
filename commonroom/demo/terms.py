"""The term dates the demo and the test world use (no Django imports: the test clock needs them early)."""

from __future__ import annotations

import datetime


def term_pattern(year_start: int) -> list[tuple[str, datetime.date, datetime.date]]:
    """The terms of the academic year that starts in September ``year_start``."""
    return [
        ("Autumn term", datetime.date(year_start, 9, 1), datetime.date(year_start, 12, 19)),
        ("Spring term", datetime.date(year_start + 1, 1, 5), datetime.date(year_start + 1, 4, 2)),
        ("Summer term", datetime.date(year_start + 1, 4, 20), datetime.date(year_start + 1, 7, 22)),
    ]
