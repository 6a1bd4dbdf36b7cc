"""Delete conversations and broadcasts kept past their institution's retention period.

Dry run by default: it reports what it would delete. ``--commit`` deletes (and audits each
institution's purge). Running it twice deletes nothing the second time.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from commonroom.authz.actor import Actor
from commonroom.messaging.services import messages_purge


class Command(BaseCommand):
    help = "Delete conversations closed longer ago than the institution's retention period (dry run unless --commit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commit", action="store_true", help="Delete, rather than only report")

    def handle(self, *args: Any, commit: bool = False, **options: Any) -> None:
        reports = messages_purge(actor=Actor.system("purge_messages"), commit=commit)
        verb = "Deleted" if commit else "Would delete"
        totals = {"conversations": 0, "messages": 0, "attachments": 0, "broadcasts": 0, "recipients": 0}
        for report in reports:
            self.stdout.write(
                f"{report.institution_name} (kept {report.retention_years} years, before {report.cutoff:%Y-%m-%d}): "
                f"{verb.lower()} {report.conversations} conversations, {report.messages} messages, "
                f"{report.attachments} attachments, {report.broadcasts} broadcasts, {report.recipients} receipts")
            for key in totals:
                totals[key] += getattr(report, key)
        self.stdout.write(f"{verb} " + ", ".join(f"{n} {key}" for key, n in totals.items()) +
                          ("" if commit else " (dry run: add --commit to delete)"))
