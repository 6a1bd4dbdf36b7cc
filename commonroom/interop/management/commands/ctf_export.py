"""manage.py ctf_export: write a Common Transfer File for learners of an institution, acting as a named user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonroom.authz.api import NotFound
from commonroom.interop import ctf_exchange
from commonroom.interop.ctf import CtfError
from commonroom.interop.management.commands.ctf_import import acting_user, office_institution
from commonroom.people.identifiers import normalise_upn


class Command(BaseCommand):
    help = ("Write a Common Transfer File for an institution's leavers of the last 12 months, a year or "
            "registration group, or learners by UPN, into a folder, named by the CTF convention.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", required=True, metavar="URN", help="the sending institution's URN")
        parser.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                            help="act as this user (head, senior leader or office at the institution)")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--leavers", action="store_true", help="learners who left in the last 12 months")
        which.add_argument("--group", metavar="CODE", help="this year's year or registration group with this code")
        which.add_argument("--upn", nargs="+", metavar="UPN", help="these learners")
        parser.add_argument("--partial", action="store_true",
                            help="a partial file: no contacts, phone, e-mail, SEN or attendance")
        parser.add_argument("--dest", metavar="LAESTAB", default=None,
                            help="the next school's LA and establishment numbers (default: not known, XXXXXXX)")
        parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="the folder to write the file to")

    def handle(self, *args: Any, institution: str, username: str, leavers: bool, group: str | None,
               upn: list[str] | None, partial: bool, dest: str | None, out: Path, **options: Any) -> None:
        actor = acting_user(username)
        school = office_institution(actor, institution)
        if not out.is_dir():
            raise CommandError(f"{out} is not a folder.")
        if upn:
            found = ctf_exchange.transfer_learners_by_upn(actor, school, upn)
            missing = sorted({normalise_upn(code) for code in upn} - set(found))
            if missing:
                raise CommandError(f"Not learners of {school.name} whose file you may send: {', '.join(missing)}")
            learner_ids = [learner.pk for learner in found.values()]
        else:
            chosen = None
            if group is not None:
                matching = [g for g in ctf_exchange.export_groups(actor, school) if g.code == group]
                if len(matching) != 1:
                    raise CommandError(f"{'No' if not matching else 'More than one'} year or registration group "
                                       f"with code {group} this year at {school.name}.")
                chosen = matching[0]
            learner_ids = [learner.pk for learner in ctf_exchange.transfer_candidates(actor, school, group=chosen)]
            if not learner_ids:
                raise CommandError("No learners to send.")
        try:
            name, data = ctf_exchange.ctf_export(actor=actor, institution=school, learner_ids=learner_ids,
                                                 qualifier="partial" if partial else "full", dest_laestab=dest)
        except NotFound:
            raise CommandError("Some of these learners are not ones you may send.") from None
        except CtfError as refused:
            for problem in refused.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(refused.problems)} problem(s): no file was written.") from None
        path = out / name
        path.write_bytes(data)
        self.stdout.write(f"Wrote {path} ({len(learner_ids)} learners, {'partial' if partial else 'full'}).")
