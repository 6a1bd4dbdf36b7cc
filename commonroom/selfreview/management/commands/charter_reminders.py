"""Remind leaders before their ICT Mark lapses (90 and 30 days before). Idempotent: run it daily."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from commonroom.selfreview.charter_services import send_reminders


class Command(BaseCommand):
    help = "Email the leaders of institutions whose ICT Mark lapses within 90 or 30 days (once per mark and lead time)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD), for trying it out")

    def handle(self, *args: Any, **options: Any) -> None:
        on = None
        if options.get("date"):
            try:
                on = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must look like 2027-03-01") from None
        sent = send_reminders(on=on)
        self.stdout.write(f"{sent} reminder(s) sent")
