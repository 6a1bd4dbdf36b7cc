"""manage.py oneroster_import: check (and with --commit, import) a OneRoster 1.2 CSV zip, acting as a named user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonroom.interop.management.commands._oneroster import actor_named, institution_for
from commonroom.interop.oneroster import OneRosterError
from commonroom.interop.oneroster.reader import MAX_BYTES
from commonroom.interop.oneroster_exchange import (
    KIND_LABELS,
    RosterPlan,
    problem_lines,
    roster_import,
    roster_preview,
)


class Command(BaseCommand):
    help = (
        "Check a OneRoster 1.2 CSV zip against a school and say what importing it would do; with --commit, import "
        "it (all or nothing). Acts as the named user through the same rules and audit as the page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the OneRoster zip")
        parser.add_argument("--institution", required=True, metavar="URN", help="the school's URN")
        parser.add_argument("--as", required=True, dest="username", metavar="USERNAME",
                            help="the account to act as (the school's head, a senior leader or office staff)")
        parser.add_argument("--commit", action="store_true", help="import for real (without it, nothing is written)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print every item as JSON lines")

    def handle(self, *args: Any, file: str, institution: str, username: str, commit: bool, as_json: bool,
               **options: Any) -> None:
        actor = actor_named(username)
        school = institution_for(actor, institution)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file} is not a file.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{file} is {path.stat().st_size:,} bytes; the limit is {MAX_BYTES:,}.")
        data = path.read_bytes()
        plan: RosterPlan
        try:
            if commit:
                plan = roster_import(actor=actor, institution=school, data=data)
            else:
                plan = roster_preview(actor=actor, institution=school, data=data)
        except OneRosterError as error:
            for line in problem_lines(error):
                self.stderr.write(line)
            raise CommandError(f"The package was refused ({error.total} problems); nothing was written.") from None
        if as_json:
            for item in plan.items:
                self.stdout.write(_json_line(item.__dict__))
        verb = "Imported" if commit else "Checked (nothing written; add --commit to import)"
        self.stdout.write(f"{verb}: {school.name}")
        for _kind, label, counts in plan.summary():
            figures = ", ".join(f"{n} {action}" for action, n in counts.items())
            self.stdout.write(f"  {label}: {figures}")
        for item in plan.skipped()[:50]:
            self.stdout.write(f"  skipped {KIND_LABELS[item.kind].lower()}: {item.label} ({item.sourced_id}): {item.reason}")
        if len(plan.skipped()) > 50:
            self.stdout.write(f"  … and {len(plan.skipped()) - 50} more skipped (see --json)")


def _json_line(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False)
