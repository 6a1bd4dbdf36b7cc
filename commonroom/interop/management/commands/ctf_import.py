"""manage.py ctf_import: check (and with --commit, import) a Common Transfer File, acting as a named user."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound
from commonroom.identity.models import User
from commonroom.interop import ctf_exchange
from commonroom.interop.ctf import CtfError, read_upload


def acting_user(username: str) -> Actor:
    """The actor for ``--as``: a real account, whose roles decide what the command may do (no bypass)."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or user.person_id is None:
        raise CommandError(f"No active account {username!r} linked to a person: --as names the user to act as.")
    return Actor.for_user(user)


def office_institution(actor: Actor, urn: str) -> Any:
    try:
        return ctf_exchange.institution_for_office(actor, urn)
    except NotFound:
        raise CommandError(f"No institution with URN {urn} where {actor.label} may enrol learners.") from None


class Command(BaseCommand):
    help = ("Check a Common Transfer File against an institution and show what importing it would do, pupil by "
            "pupil. Nothing is written unless --commit is given; then everything is written or nothing is.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CTF (XML)")
        parser.add_argument("--institution", required=True, metavar="URN", help="the receiving institution's URN")
        parser.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                            help="act as this user (head, senior leader or office at the institution)")
        parser.add_argument("--commit", action="store_true", help="import (the default is to check only)")
        parser.add_argument("--join-date", type=datetime.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                            help="when new learners join (default today)")

    def handle(self, *args: Any, file: Path, institution: str, username: str, commit: bool,
               join_date: datetime.date | None, **options: Any) -> None:
        actor = acting_user(username)
        school = office_institution(actor, institution)
        try:
            with file.open("rb") as handle:
                data = read_upload(handle)
            if commit:
                plan = ctf_exchange.ctf_import(actor=actor, institution=school, data=data, join_date=join_date).plan
            else:
                plan = ctf_exchange.ctf_preview(actor=actor, institution=school, data=data, join_date=join_date)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except CtfError as refused:
            for problem in refused.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(refused.problems)} problem(s): nothing was imported.") from None
        for row in plan.rows:
            self.stdout.write(f"{row.position:>5} {row.upn} {row.action:<6} {row.name}: {row.reason}")
            for warning in row.warnings:
                self.stdout.write(f"      warning: {warning}")
        counts = plan.counts()
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(("Imported: " if commit else "Checked (nothing written; add --commit to import): ") + summary)
