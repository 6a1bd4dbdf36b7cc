"""manage.py oneroster_export: write a school's roster as a OneRoster 1.2 CSV zip, acting as a named user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonroom.interop.management.commands._oneroster import actor_named, institution_for
from commonroom.interop.oneroster_exchange import ExportRefused, roster_export


class Command(BaseCommand):
    help = (
        "Export a school's class lists for this academic year as a OneRoster 1.2 CSV zip. The export is made as "
        "the named user, through the same rules and audit as the page: only what they may see."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", required=True, metavar="URN", help="the school's URN")
        parser.add_argument("--as", required=True, dest="username", metavar="USERNAME",
                            help="the account to act as (the school's head, a senior leader or office staff)")
        parser.add_argument("--out", metavar="FILE", help="where to write the zip (default: its own name, here)")

    def handle(self, *args: Any, institution: str, username: str, out: str | None, **options: Any) -> None:
        actor = actor_named(username)
        school = institution_for(actor, institution)
        try:
            filename, data = roster_export(actor=actor, institution=school)
        except ExportRefused as refused:
            raise CommandError(str(refused)) from None
        path = Path(out or filename)
        path.write_bytes(data)
        self.stdout.write(f"Wrote {path} ({len(data):,} bytes) for {school.name}.")
