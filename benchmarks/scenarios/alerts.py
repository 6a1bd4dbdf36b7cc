"""Absence alerts for a morning: 8% of the learners marked N, from registers saved to every alert handed
to the backend (locmem email, locmem SMS), including running the queued tasks.

The scenario builds its own synthetic schools (secondary-sized, 1,500 learners each, registration groups
of 30; each learner has two contacts with an email address and a UK mobile; the school alerts the
priority-1 contact by email and text) inside one transaction, saves every registration group's morning
register through ``register_save`` as the school's office, runs the alert tasks (the immediate backend:
each register save's one task, then the delivery tasks in batches), and rolls everything back: the
benchmark database is left as it was. The clock is moved to 10:30 on a school day.

Because the whole morning runs in one transaction, commits are not timed (each register save is a
savepoint); the alert tasks run in the same process one after another (one worker).

    .venv/bin/python benchmarks/run.py --size tiny --scenario alerts      # with the other scenarios
    .venv/bin/python -m benchmarks.scenarios.alerts --learners 40000 --database postgres
"""

from __future__ import annotations

import datetime
import statistics
import time

from benchmarks.scenarios.common import counting_queries, percentile

ABSENT_SHARE = 0.08
PER_SCHOOL = 1500
FORM_SIZE = 30
DEFAULT_LEARNERS = 3000


class _Rollback(Exception):
    pass


def _build(learners: int) -> list[tuple[object, list[object], list[int]]]:
    """Schools with their office actor, registration groups and learner ids per group."""
    from commonroom.authz.actor import Actor
    from commonroom.authz.models import Role, RoleAssignment
    from commonroom.common.dates import today
    from commonroom.demo.terms import term_pattern
    from commonroom.notifications.models import AlertSettings
    from commonroom.organisations.models import AcademicYear, Institution, Term
    from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, Learner, Person

    day = today()
    year_start = datetime.date(day.year - (1 if day.month < 9 else 0), 9, 1)
    start = day - datetime.timedelta(days=60)
    schools = []
    made = 0
    number = 0
    while made < learners:
        number += 1
        size = min(PER_SCHOOL, learners - made)
        inst = Institution.objects.create(name=f"Alerts bench school {number}", kind="secondary", phase="secondary")
        year = AcademicYear.objects.create(institution=inst, name=f"B{number}", start_date=year_start,
                                           end_date=datetime.date(year_start.year + 1, 8, 31))
        Term.objects.bulk_create(Term(institution=inst, academic_year=year, name=name, start_date=first, end_date=last)
                                 for name, first, last in term_pattern(year_start.year))
        office = Person.objects.create(given_name="Office", family_name=f"School{number}")
        RoleAssignment.objects.create(person=office, role=Role.OFFICE, institution=inst, start_date=start)
        AlertSettings.objects.create(institution=inst, offered=["absence"])
        groups = Group.objects.bulk_create(
            Group(institution=inst, academic_year=year, kind=Group.Kind.REGISTRATION, code=f"R{g}", name=f"Form {g}",
                  nc_year=7 + g % 5) for g in range((size + FORM_SIZE - 1) // FORM_SIZE))
        if not groups[0].pk:  # databases that return no ids from a bulk insert
            groups = list(Group.objects.filter(institution=inst).order_by("pk"))
        people = Person.objects.bulk_create(
            (Person(given_name=f"Pupil{n}", family_name=f"S{number}") for n in range(size)), batch_size=1000)
        pupil_ids = [p.pk for p in people] if people[0].pk else list(
            Person.objects.filter(family_name=f"S{number}").order_by("pk").values_list("pk", flat=True))
        Learner.objects.bulk_create((Learner(person_id=pk) for pk in pupil_ids), batch_size=1000)
        Enrolment.objects.bulk_create((Enrolment(institution=inst, learner_id=pk, start_date=start) for pk in pupil_ids),
                                      batch_size=1000)
        GroupMembership.objects.bulk_create(
            (GroupMembership(institution=inst, group=groups[i // FORM_SIZE], learner_id=pk, start_date=start)
             for i, pk in enumerate(pupil_ids)), batch_size=1000)
        contacts = Person.objects.bulk_create(
            (Person(given_name=f"Carer{n}", family_name=f"C{number}", email=f"carer{number}-{n}@example.org",
                    phone=f"07700 9{n % 100000:05d}") for n in range(2 * size)), batch_size=1000)
        contact_ids = [p.pk for p in contacts] if contacts[0].pk else list(
            Person.objects.filter(family_name=f"C{number}").order_by("pk").values_list("pk", flat=True))
        ContactLink.objects.bulk_create(
            (ContactLink(learner_id=pk, contact_id=contact_ids[2 * i + k], relationship="parent", priority=k + 1,
                         start_date=start) for i, pk in enumerate(pupil_ids) for k in (0, 1)), batch_size=1000)
        by_group: dict[int, list[int]] = {}
        for i, pk in enumerate(pupil_ids):
            by_group.setdefault(groups[i // FORM_SIZE].pk, []).append(pk)
        actor = Actor(person_id=office.pk, label="office")
        schools.append((actor, groups, [by_group[g.pk] for g in groups]))
        made += size
    return schools


def measure(learners: int, batch: int | None = None) -> dict:
    import time_machine
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import TestCase, override_settings

    from commonroom.notifications import services, sms
    from commonroom.notifications.models import Delivery
    from commonroom.records.services import MarkEntry, register_save
    from commonroom.testing.clock import school_day_travel

    results: dict = {}
    if batch:
        services.BATCH = batch  # deliveries per delivery task (1: one task per delivery)
    settings = {"TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "COMMONROOM_SMS_BACKEND": "commonroom.notifications.sms.LocmemBackend"}
    with time_machine.travel(school_day_travel(datetime.date.today()), tick=True), override_settings(**settings):
        from django.core import mail

        mail.outbox = []
        sms.LocmemBackend.outbox = []
        try:
            with transaction.atomic():
                started = time.perf_counter()
                schools = _build(learners)
                results["build_seconds"] = round(time.perf_counter() - started, 1)
                from commonroom.common.dates import today

                day = today()
                absent = 0
                saves: list[float] = []
                with counting_queries() as queries:
                    started = time.perf_counter()
                    # Each save's on-commit work (the alert task, then the delivery tasks) runs as it would
                    # after a commit: captureOnCommitCallbacks executes the callbacks, and those they add.
                    with TestCase.captureOnCommitCallbacks(execute=True):
                        n = 0
                        for actor, groups, members in schools:
                            for group, ids in zip(groups, members, strict=True):
                                entries = []
                                for pk in ids:
                                    n += 1
                                    code = "N" if n % 25 in (0, 12) else "/"  # 2 in 25: ABSENT_SHARE, 8%
                                    absent += code == "N"
                                    entries.append(MarkEntry(pk, code))
                                one = time.perf_counter()
                                register_save(actor=actor, group=group, day=day, session="AM", entries=entries)
                                saves.append((time.perf_counter() - one) * 1000)
                    total = time.perf_counter() - started
                statuses = dict(Delivery.objects.filter(key__startswith="absence:").values("status").annotate(
                    n=Count("pk")).values_list("status", "n"))
                results.update({
                    "learners": learners, "schools": len(schools), "registers": len(saves), "absent": absent,
                    "emails_handed_to_backend": len(mail.outbox), "texts_handed_to_backend": len(sms.LocmemBackend.outbox),
                    "deliveries_by_status": statuses,
                    "seconds_registers_saved_to_all_alerts_handed_over": round(total, 2),
                    "register_save_with_alerts_ms": {"p50": round(statistics.median(saves), 1),
                                                     "p95": round(percentile(saves, 0.95), 1)},
                    "alerts_per_second": round((len(mail.outbox) + len(sms.LocmemBackend.outbox)) / total, 1),
                    "queries": queries.count,
                    "database": connection.vendor,
                    "deliveries_per_task": services.BATCH,
                })
                raise _Rollback()
        except _Rollback:
            pass
    return results


def run(*, repeat: int) -> dict:
    """For benchmarks/run.py: one morning of DEFAULT_LEARNERS learners (``repeat`` is not used)."""
    del repeat
    return measure(DEFAULT_LEARNERS)


if __name__ == "__main__":
    import argparse
    import json
    import os

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=DEFAULT_LEARNERS)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--batch", type=int, default=None, help="deliveries per delivery task (default 50)")
    parser.add_argument("--size", default="tiny", help="which benchmark database to borrow (it is left unchanged)")
    options = parser.parse_args()
    from benchmarks.run import configure

    where = configure(options.size, options.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    import platform

    print(json.dumps({"scenario": "alerts", "where": where, "python": platform.python_version(),
                      "machine": f"{platform.machine()} {os.cpu_count()} cpus", "result": measure(options.learners, options.batch)},
                     indent=2))
