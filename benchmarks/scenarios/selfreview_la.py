"""The self-review authority view for 400 institutions with five years of reviews each.

Inside one transaction that is rolled back afterwards (the benchmark database is left as it was), the
scenario makes a local authority with 400 institutions (a mix of phases), an officer, and five completed
reviews of the schools framework for each institution, one a year (2,000 reviews, 68,000 aspect answers,
written with ``bulk_create``), plus two targets. It then times the officer's authority page, its API and its
CSV export (server time p50 and p95 in ms, and the query count), adds 100 more institutions with their
reviews, and counts the queries again: they stay the same.

    .venv/bin/python benchmarks/run.py --size tiny --scenario selfreview_la
    .venv/bin/python -m benchmarks.scenarios.selfreview_la --database postgres --repeat 20
"""

from __future__ import annotations

import datetime
import time

from benchmarks.scenarios.attendance import _summary, _timed

INSTITUTIONS = 400
YEARS = 5
MORE = 100
PHASES = ("primary", "primary", "primary", "secondary", "all_through")


class _Rollback(Exception):
    pass


def _institutions(authority, count: int, start: int) -> list[int]:  # type: ignore[no-untyped-def]
    from commonroom.organisations.models import Institution

    made = Institution.objects.bulk_create(
        Institution(name=f"Bench school {start + n}", kind="primary", phase=PHASES[(start + n) % len(PHASES)],
                    local_authority=authority) for n in range(count))
    return [i.pk for i in made]


def _reviews(framework, institution_ids: list[int], person_id: int) -> int:  # type: ignore[no-untyped-def]
    from commonroom.common.dates import today
    from commonroom.selfreview.bulk import ReviewSpec, write_completed_reviews

    day = today()
    specs = []
    for index, pk in enumerate(institution_ids):
        for year in range(YEARS):
            level = max(1, 5 - year + (index + year) % 2 - (1 if index % 4 == 0 else 0))
            specs.append(ReviewSpec(pk, person_id, day - datetime.timedelta(days=365 * (YEARS - 1 - year) + 20 + index % 60),
                                    lambda n, lv=level, i=index: max(1, lv - (n + i) % 2)))
    write_completed_reviews(framework, specs)
    return len(specs)


def measure(repeat: int) -> dict:
    from django.db import transaction
    from django.test import Client

    from commonroom.authz.actor import Actor
    from commonroom.authz.models import Role, RoleAssignment
    from commonroom.common.dates import today
    from commonroom.identity.models import User
    from commonroom.organisations.models import LocalAuthority
    from commonroom.people.models import Person
    from commonroom.selfreview.models import Framework
    from commonroom.selfreview.models_plans import AuthorityTarget
    from commonroom.selfreview.services import frameworks_load

    result: dict = {}
    try:
        with transaction.atomic():
            if not Framework.objects.filter(slug="schools").exists():
                frameworks_load(actor=Actor.system("benchmark"))
            framework = Framework.objects.filter(slug="schools").order_by("-version").first()
            started = time.perf_counter()
            authority = LocalAuthority.objects.create(name="Benchmark authority", la_number="999")
            officer = Person.objects.create(given_name="Bench", family_name="Officer")
            RoleAssignment.objects.create(person=officer, role=Role.LA_OFFICER, local_authority=authority,
                                          start_date=today() - datetime.timedelta(days=1))
            user = User.objects.create(username="bench.la.officer", person=officer)
            ids = _institutions(authority, INSTITUTIONS, 0)
            reviews = _reviews(framework, ids, officer.pk)
            for element, share in ((1, 80), (3, 60)):
                AuthorityTarget.objects.create(local_authority=authority, title=f"{share}% in element {element}",
                                               framework_slug="schools", element_number=element, share=share,
                                               due_on=today() + datetime.timedelta(days=200), created_by=officer)
            result["setup"] = {"institutions": len(ids), "reviews": reviews,
                               "answers": reviews * framework.elements.values("aspects").count(),
                               "seconds": round(time.perf_counter() - started, 1)}
            client = Client()
            client.force_login(user)
            urls = {"page": f"/self-review/authorities/{authority.pk}/",
                    "api": f"/api/v1/self-review/authorities/{authority.pk}",
                    "csv": f"/self-review/authorities/{authority.pk}/institutions.csv"}
            for name, url in urls.items():
                timings, queries, response = _timed(client, "get", url, repeat)
                result[name] = _summary(timings, queries, bytes=len(response.content))  # type: ignore[attr-defined]
            more = _institutions(authority, MORE, INSTITUTIONS)
            _reviews(framework, more, officer.pk)
            for name, url in urls.items():
                _timings, queries, _response = _timed(client, "get", url, 1)
                result[name][f"queries_with_{INSTITUTIONS + MORE}_institutions"] = queries
            result["query_count_constant"] = all(
                result[name]["queries"] == result[name][f"queries_with_{INSTITUTIONS + MORE}_institutions"] for name in urls)
            raise _Rollback
    except _Rollback:
        pass
    return result


def run(*, repeat: int) -> dict:
    return measure(max(5, min(repeat, 30)))


if __name__ == "__main__":
    import argparse
    import json
    import os
    import platform

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--size", default="tiny", help="which benchmark database to borrow (it is left unchanged)")
    options = parser.parse_args()
    from benchmarks.run import configure

    where = configure(options.size, options.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # pages are served as in production
    print(json.dumps({"scenario": "selfreview_la", "where": where, "python": platform.python_version(),
                      "machine": f"{platform.machine()} {os.cpu_count()} cpus", "result": measure(options.repeat)},
                     indent=2))
