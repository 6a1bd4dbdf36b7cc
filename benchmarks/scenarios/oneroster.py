"""OneRoster 1.2 exchange for the largest school, as its head: the export (zip), a preview of that
export against the same school (everything matches), and an import of it into a new school (every
class, learner, contact and membership created; staff, unknown there, skipped). The new school and
everything imported are rolled back, so the benchmark database is unchanged. Seconds and rows/s."""

from __future__ import annotations

import dataclasses
import datetime
import statistics
import time


class _RollBack(Exception):
    pass


def _for_new_school(data: bytes, urn: str) -> bytes:
    """The package with its school org given ``urn`` and its learners new UPNs (the originals are taken)."""
    from commonroom.interop.oneroster import UserId, read_roster, write_roster
    from commonroom.people.identifiers import make_upn

    roster = read_roster(data)
    roster.orgs = [dataclasses.replace(org, identifier=urn) if org.type == "school" else org for org in roster.orgs]
    users = []
    for n, user in enumerate(roster.users):
        if any(uid.type == "UPN" for uid in user.user_ids):
            upn = make_upn("999", "9999", 40 + n // 900, 100 + n % 900)
            user = dataclasses.replace(user, user_ids=(UserId("UPN", upn),), identifier=upn)
        users.append(user)
    roster.users = users
    return write_roster(roster, generated_at=datetime.datetime.now(datetime.UTC))


def run(*, repeat: int) -> dict:
    from django.db import transaction
    from django.db.models import Count

    from commonroom.authz.actor import Actor
    from commonroom.authz.models import RoleAssignment
    from commonroom.common.dates import today
    from commonroom.identity.models import User
    from commonroom.interop.oneroster import read_roster
    from commonroom.interop.oneroster_exchange import current_year, roster_export, roster_import, roster_preview
    from commonroom.organisations.models import AcademicYear, Institution
    from commonroom.people.models import Person

    head = User.objects.get(username="demo.head")
    largest = (
        Institution.objects.filter(role_assignments__person=head.person, role_assignments__role="head")
        .annotate(n=Count("people_enrolment_set")).order_by("-n").first()
    )
    actor = Actor.for_user(head)
    exports, previews, imports = [], [], []
    data = b""
    for _ in range(max(1, min(repeat, 5))):
        started = time.perf_counter()
        _name, data = roster_export(actor=Actor.for_user(head), institution=largest)
        exports.append(time.perf_counter() - started)
        started = time.perf_counter()
        roster_preview(actor=actor, institution=largest, data=data)
        previews.append(time.perf_counter() - started)
    roster = read_roster(data)
    rows = sum(len(getattr(roster, name)) for name in ("orgs", "academic_sessions", "courses", "classes", "users",
                                                      "roles", "enrollments", "demographics"))
    created = 0
    for _ in range(max(1, min(repeat, 3))):
        try:
            with transaction.atomic():
                school = Institution.objects.create(name="Bench copy", kind="secondary", phase="secondary", urn="999990")
                year = current_year(largest, today())
                assert year is not None
                AcademicYear.objects.create(institution=school, name=year.name, start_date=year.start_date,
                                            end_date=year.end_date)
                office = Person.objects.create(given_name="Bench", family_name="Office")
                RoleAssignment.objects.create(person=office, role="office", institution=school, start_date=today())
                package = _for_new_school(data, "999990")
                started = time.perf_counter()
                report = roster_import(actor=Actor(person_id=office.pk, label="bench office"), institution=school,
                                       data=package)
                imports.append(time.perf_counter() - started)
                created = report.total_created
                raise _RollBack
        except _RollBack:
            pass
    return {
        "package_rows": rows,
        "package_bytes": len(data),
        "export_p50_s": round(statistics.median(exports), 3),
        "preview_all_matched_p50_s": round(statistics.median(previews), 3),
        "import_into_new_school_p50_s": round(statistics.median(imports), 3),
        "import_records_created": created,
        "import_rows_per_s": round(rows / statistics.median(imports)),
    }
