"""Load (or re-load) every framework file shipped in commonroom/selfreview/frameworks/. Idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from commonroom.authz.actor import Actor
from commonroom.selfreview.services import frameworks_load


class Command(BaseCommand):
    help = "Validate and load the self-review framework files (each file all-or-nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--directory", help="Load from this directory instead of the shipped frameworks")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"]) if options.get("directory") else None
        report = frameworks_load(actor=Actor.system("load_frameworks"), directory=directory)
        for label in report.created:
            self.stdout.write(f"loaded {label}")
        for label in report.status_changed:
            self.stdout.write(f"status changed: {label}")
        for label in report.measures_changed:
            self.stdout.write(f"measures updated: {label}")
        for label in report.unchanged:
            self.stdout.write(f"unchanged {label}")
        for error in report.errors:
            self.stderr.write(f"rejected {error}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} framework file(s) rejected; nothing from them was loaded")
