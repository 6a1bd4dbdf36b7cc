"""Importing a school from CSV: 1,000 learners with their year and registration groups, memberships
and a contact each, checked (preview) and written (commit). Rows per second; the commit is rolled
back afterwards so the benchmark database is unchanged."""

from __future__ import annotations

import statistics
import time


class _RollBack(Exception):
    pass


def _files(la: str, estab: str, count: int) -> dict[str, str]:
    from commonroom.people.identifiers import make_upn

    groups = ["code,name,kind,nc_year,year_group", "BY7,Bench Year 7,year,7,"]
    groups += [f"B7{n},Bench 7{n},registration,7,BY7" for n in range(count // 30 + 1)]
    learners = ["upn,given_name,family_name,date_of_birth,sex"]
    memberships = ["upn,group_code"]
    contacts = ["learner_upn,given_name,family_name,relationship"]
    for n in range(count):
        upn = make_upn(la, estab, 30 + n // 800, 100 + n % 800)
        learners.append(f"{upn},Bench{n},Learner,2014-10-01,F")
        memberships += [f"{upn},BY7", f"{upn},B7{n // 30}"]
        contacts.append(f"{upn},Parent{n},Learner,parent")
    return {"groups": "\n".join(groups), "learners": "\n".join(learners), "memberships": "\n".join(memberships),
            "contacts": "\n".join(contacts)}


def run(*, repeat: int) -> dict:
    from django.db import transaction

    from commonroom.authz.actor import Actor
    from commonroom.identity.models import User
    from commonroom.interop import csv_import

    head = User.objects.get(username="demo.head")
    institution = head.person.role_assignments.filter(role="head").first().institution
    actor = Actor.for_user(head)
    files = _files(institution.la_number or "999", "9999", 1000)
    rows = sum(text.count("\n") for text in files.values())
    previews, commits = [], []
    for _ in range(max(1, min(repeat, 5))):
        started = time.perf_counter()
        csv_import.preview(actor=actor, institution=institution, texts=files)
        previews.append(time.perf_counter() - started)
        started = time.perf_counter()
        try:
            with transaction.atomic():
                csv_import.commit(actor=actor, institution=institution, texts=files)
                commits.append(time.perf_counter() - started)
                raise _RollBack
        except _RollBack:
            pass
    return {
        "rows": rows,
        "preview_p50_s": round(statistics.median(previews), 3),
        "commit_p50_s": round(statistics.median(commits), 3),
        "commit_rows_per_s": round(rows / statistics.median(commits)),
    }
