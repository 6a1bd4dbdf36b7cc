"""Attendance: saving a register of about 30 learners, the institution's figures for the academic
year to date, and its persistent-absence list. Server time (p50, p95, ms) and query counts.

The register is saved by the head through the API for the last school day before today (so it
works on any day of the week): each save changes every mark (present <-> late), which writes the
marks and their history in bulk. The figures pages are read as the head of the largest school.
"""

from __future__ import annotations

import datetime
import statistics
import time

from benchmarks.scenarios.common import counting_queries, percentile

WARM_UP = 2


def _timed(client, method: str, url: str, repeat: int, body=None) -> tuple[list[float], int, object]:  # type: ignore[no-untyped-def]
    def call(payload):  # type: ignore[no-untyped-def]
        if method == "put":
            return client.put(url, payload, content_type="application/json")
        return client.get(url)

    for _ in range(WARM_UP):
        call(body() if callable(body) else body)
    with counting_queries() as queries:
        response = call(body() if callable(body) else body)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    timings = []
    for _ in range(repeat):
        payload = body() if callable(body) else body
        started = time.perf_counter()
        response = call(payload)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings, queries.count, response


def _summary(timings: list[float], queries: int, **extra: object) -> dict:
    return {"p50_ms": round(statistics.median(timings), 2), "p95_ms": round(percentile(timings, 0.95), 2),
            "queries": queries, **extra}


def run(*, repeat: int) -> dict:
    from django.db.models import Count
    from django.test import Client

    from commonroom.identity.models import User
    from commonroom.people.models import Group
    from commonroom.records.calendar import school_days
    from commonroom.records.models import AttendanceMark

    head = User.objects.get(username="demo.head")
    institution_id = head.person.role_assignments.filter(role="head").values_list("institution_id", flat=True).first()
    client = Client()
    client.force_login(head)
    today = datetime.date.today()
    day = list(school_days(institution_id, today - datetime.timedelta(days=20), today - datetime.timedelta(days=1)))[-1]
    group = (
        Group.objects.filter(institution_id=institution_id, kind=Group.Kind.REGISTRATION)
        .annotate(size=Count("memberships")).order_by("-size", "pk").first()
    )
    assert group is not None
    url = f"/api/v1/groups/{group.pk}/register"
    state = {"rows": client.get(f"{url}?date={day.isoformat()}&session=AM").json()["rows"], "flip": False}

    def body() -> dict:
        state["flip"] = not state["flip"]
        marks = [{"learner_id": row["learner_id"], "code": "L" if state["flip"] else "/", "seen_version": row["version"]}
                 for row in state["rows"]]
        return {"date": day.isoformat(), "session": "AM", "marks": marks}

    def save(payload):  # type: ignore[no-untyped-def]
        response = client.put(url, payload, content_type="application/json")
        if response.status_code == 200:
            state["rows"] = response.json()["sheet"]["rows"]
        return response

    # Keep the versions fresh between calls by wrapping the client.
    class Saving:
        def put(self, u, payload, content_type):  # type: ignore[no-untyped-def]
            return save(payload)

        def get(self, u):  # type: ignore[no-untyped-def]
            return client.get(u)

    timings, queries, _response = _timed(Saving(), "put", url, repeat, body)
    results = {"register_save": _summary(timings, queries, learners=len(state["rows"]), marks_changed=len(state["rows"]))}
    base = f"/institutions/{institution_id}/attendance/"
    for name, page in (("institution_figures", base), ("persistent_absentees", f"{base}absentees/")):
        timings, queries, response = _timed(client, "get", page, repeat)
        results[name] = _summary(timings, queries, bytes=len(response.content))  # type: ignore[attr-defined]
    timings, queries, response = _timed(client, "get", f"/institutions/{institution_id}/behaviour/", repeat)
    results["behaviour_summary"] = _summary(timings, queries, bytes=len(response.content))  # type: ignore[attr-defined]
    results["marks_in_database"] = AttendanceMark.objects.count()
    results["marks_at_institution"] = AttendanceMark.objects.filter(institution_id=institution_id).count()
    return results
