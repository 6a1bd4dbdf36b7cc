"""Common Transfer Files: export 1,000 learners of the demo school with their contacts, a year of
attendance, SEN history for one in seven and three key stage 2 results each, then check (preview) and
import that file into another institution. Rows (pupils) per second.

Two imports are measured: the file as exported (every learner is already in Commonroom, so each is an
*update*: an enrolment, a year group place, SEN, prior attendance, results and schools), and the same
pupils under new UPNs (each a *create*: person, learner and contacts too). Everything, the export's
audit events included, happens in a transaction that is rolled back, so the database is unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
import time

from benchmarks.scenarios.common import counting_queries

PUPILS = 1000


class _RollBack(Exception):
    pass


def _timed(function, runs: int):  # type: ignore[no-untyped-def]
    """Median seconds of ``runs`` calls, each rolled back, and the query count of the first."""
    from django.db import transaction

    timings, queries, result = [], 0, None
    for run in range(runs):
        try:
            with transaction.atomic():
                with counting_queries() as counter:
                    started = time.perf_counter()
                    result = function()
                    timings.append(time.perf_counter() - started)
                if run == 0:
                    queries = counter.count
                raise _RollBack
        except _RollBack:
            pass
    return statistics.median(timings), queries, result


def _enrich(institution, learner_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    """What a secondary school holds that the demo does not generate (KS2 results, earlier schools), and SEN
    history for one learner in seven where the demo gave none."""
    from commonroom.records.models import PriorSchool, SenEpisode, SenRecord, StageResult

    start = datetime.date(2022, 9, 1)
    have = set(SenRecord.objects.filter(institution=institution).values_list("learner_id", flat=True))
    sen = SenRecord.objects.bulk_create(
        SenRecord(institution=institution, learner_id=pk, status="K", status_since=start, primary_need="SPLD",
                  secondary_need="SLCN")
        for pk in learner_ids[::7] if pk not in have
    )
    SenEpisode.objects.bulk_create(
        SenEpisode(institution=institution, record=record, status="K", primary_need="SPLD", start_date=start)
        for record in sen
    )
    StageResult.objects.bulk_create(
        StageResult(institution=institution, learner_id=pk, stage="KS2", subject=subject, method="TT", component="",
                    year=2022, result=result)
        for pk in learner_ids for subject, result in (("MAT", "104"), ("ENG", "101"), ("GPS", "108"))
    )
    PriorSchool.objects.bulk_create(
        PriorSchool(institution=institution, learner_id=pk, laestab="8012001", name="Bench Primary",
                    entry_date=datetime.date(2016, 9, 1), leaving_date=datetime.date(2022, 7, 20))
        for pk in learner_ids
    )


def _receiving_school(source):  # type: ignore[no-untyped-def]
    """Another secondary in the same authority, with this year's year groups and an office member."""
    from commonroom.authz.actor import Actor
    from commonroom.authz.models import Role, RoleAssignment
    from commonroom.common.dates import today
    from commonroom.organisations.models import AcademicYear, Institution
    from commonroom.people.models import Group, Person

    on = today()
    start = datetime.date(on.year if on.month >= 9 else on.year - 1, 9, 1)
    school = Institution.objects.create(
        name="Bench receiving school", kind=source.kind, phase=source.phase, urn="999901",
        local_authority=source.local_authority, la_number=source.la_number, estab_number="4999",
    )
    year = AcademicYear.objects.create(institution=school, name="bench", start_date=start,
                                       end_date=datetime.date(start.year + 1, 8, 31))
    Group.objects.bulk_create(
        Group(institution=school, academic_year=year, kind=Group.Kind.YEAR, code=f"Y{n}", name=f"Year {n}", nc_year=n)
        for n in range(7, 14)
    )
    office = Person.objects.create(given_name="Bench", family_name="Office")
    RoleAssignment.objects.create(person=office, role=Role.OFFICE, institution=school, start_date=start)
    return school, Actor(person_id=office.pk, label="Bench Office")


def _new_upns(data: bytes) -> bytes:
    """The same pupils under UPNs (and ULNs) nobody has: every one is a create."""
    from commonroom.interop.ctf import read_ctf, write_ctf
    from commonroom.people.identifiers import make_upn

    ctf = read_ctf(data)
    pupils = tuple(
        dataclasses.replace(pupil, upn=make_upn("998", "9998", 40 + n // 900, 100 + n % 900), uln=None, former_upn=None)
        for n, pupil in enumerate(ctf.pupils)
    )
    return write_ctf(dataclasses.replace(ctf, pupils=pupils))


def run(*, repeat: int) -> dict:
    from django.db import transaction

    from commonroom.authz.actor import Actor
    from commonroom.common.dates import today
    from commonroom.identity.models import User
    from commonroom.interop import ctf_exchange
    from commonroom.people.models import Enrolment

    runs = max(1, min(repeat, 3))
    head = User.objects.get(username="demo.head")
    source = head.person.role_assignments.filter(role="head").first().institution
    learner_ids = list(
        Enrolment.objects.filter(institution=source, end_date__isnull=True, start_date__lte=today())
        .order_by("learner_id").values_list("learner_id", flat=True)[:PUPILS]
    )
    results: dict = {"pupils": len(learner_ids)}
    try:
        with transaction.atomic():
            _enrich(source, learner_ids)

            def export() -> tuple[str, bytes]:
                return ctf_exchange.ctf_export(actor=Actor.for_user(head), institution=source, learner_ids=learner_ids,
                                               qualifier="full", dest_laestab=None)

            seconds, queries, (name, data) = _timed(export, runs)
            results.update(export_s=round(seconds, 3), export_queries=queries, export_pupils_per_s=round(PUPILS / seconds),
                           file_bytes=len(data), file_name=name)
            school, office = _receiving_school(source)
            for label, file in (("update", data), ("create", _new_upns(data))):
                seconds, queries, plan = _timed(
                    lambda file=file: ctf_exchange.ctf_preview(actor=office, institution=school, data=file), runs)
                assert plan.counts()[label] == len(learner_ids), plan.counts()
                results[f"{label}_preview_s"] = round(seconds, 3)
                results[f"{label}_preview_pupils_per_s"] = round(len(learner_ids) / seconds)
                seconds, queries, report = _timed(
                    lambda file=file: ctf_exchange.ctf_import(actor=office, institution=school, data=file), runs)
                results[f"{label}_import_s"] = round(seconds, 3)
                results[f"{label}_import_pupils_per_s"] = round(len(learner_ids) / seconds)
                results[f"{label}_import_queries"] = queries
                results[f"{label}_import_added"] = {k: v for k, v in report.counts().items() if v}
            raise _RollBack
    except _RollBack:
        pass
    return results
