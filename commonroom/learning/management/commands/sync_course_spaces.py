"""manage.py sync_course_spaces: give every teaching group of an institution's current year a course space."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonroom.authz.actor import Actor
from commonroom.learning.services import sync_course_spaces
from commonroom.organisations.models import Institution


class Command(BaseCommand):
    help = ("Create the missing course spaces of an institution's teaching groups this academic year. Spaces "
            "hold no copy of who is in them (that comes from the groups), so running it again changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", required=True, metavar="URN", help="the institution's URN")

    def handle(self, *args: Any, institution: str, **options: Any) -> None:
        school = Institution.objects.filter(urn=institution).first()
        if school is None:
            raise CommandError(f"No institution has the URN {institution}.")
        created = sync_course_spaces(actor=Actor.system("sync_course_spaces"), institution=school)
        self.stdout.write(f"{school.name}: {created} course spaces created.")
