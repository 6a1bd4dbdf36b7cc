"""Assessment and reports: saving a marksheet of 30 learners x 3 aspects through the API, the school's
progress-by-subject page, and rendering a whole year group's published reports to one PDF.

The marksheet is saved by the head (a data manager may fill any sheet) for the largest teaching group at
the newest assessment point, unlocked for the run and locked again afterwards; each save changes every
grade (two values in turn), so every cell is written. Server time (p50, p95, ms) and query counts. The
PDF run renders the published reports of the largest year group in the demo's published cycle (about
240 learners at `school` size), as the background task does: total seconds, per learner, and peak memory (tracemalloc).
"""

from __future__ import annotations

import resource
import time
import tracemalloc

from benchmarks.scenarios.attendance import _summary, _timed


def run(*, repeat: int) -> dict:
    from django.db.models import Count
    from django.test import Client

    from commonroom.identity.models import User
    from commonroom.people.models import Group
    from commonroom.records.models import Aspect, AssessmentPoint, PublishedReport, ReportCycle

    head = User.objects.get(username="demo.head")
    institution_id = head.person.role_assignments.filter(role="head").values_list("institution_id", flat=True).first()
    client = Client()
    client.force_login(head)
    group = (Group.objects.filter(institution_id=institution_id, kind=Group.Kind.TEACHING)
             .annotate(size=Count("memberships")).order_by("-size", "pk").first())
    point = AssessmentPoint.objects.filter(institution_id=institution_id).order_by("-date").first()
    assert group is not None and point is not None
    was_locked = point.locked
    AssessmentPoint.objects.filter(pk=point.pk).update(locked=False)
    aspects = list(Aspect.objects.filter(institution_id=institution_id, kind__in=["attainment", "effort", "predicted"])
                   .order_by("position"))
    url = f"/api/v1/groups/{group.pk}/marksheets/{point.pk}"
    state = {"sheet": client.get(url).json(), "flip": False}
    allowed = {a.pk: a.grade_set.grades.order_by("-rank").values_list("value", flat=True)[:2] for a in aspects}

    def body() -> dict:
        # The versions to send are read here, outside the timed call: the timing is the save alone.
        state["sheet"] = client.get(url).json()
        state["flip"] = not state["flip"]
        cells = []
        for row in state["sheet"]["rows"]:
            for cell in row["grades"]:
                if cell["aspect_id"] in allowed:
                    values = list(allowed[cell["aspect_id"]])
                    cells.append({"learner_id": row["learner_id"], "aspect_id": cell["aspect_id"],
                                  "value": values[0] if state["flip"] else values[1], "seen_version": cell["version"]})
        return {"grades": cells}

    try:
        timings, queries, _response = _timed(client, "put", url, repeat, body)
    finally:
        AssessmentPoint.objects.filter(pk=point.pk).update(locked=was_locked)
    cells = len(body()["grades"])
    result: dict = {"marksheet_save": _summary(timings, queries, learners=len(state["sheet"]["rows"]), cells=cells)}
    timings, queries, _response = _timed(client, "get", f"/institutions/{institution_id}/progress/", repeat)
    result["progress_by_subject"] = _summary(timings, queries)

    cycle = ReportCycle.objects.filter(institution_id=institution_id, status="published").first()
    if cycle is not None:
        import tempfile

        from commonroom.records.tasks import document_of
        from commonroom.reporting_pdf.render import render_reports

        year = (Group.objects.filter(institution_id=institution_id, kind=Group.Kind.YEAR, report_cycles=cycle)
                .annotate(size=Count("memberships")).order_by("-size", "pk").first())
        documents = (PublishedReport.objects.filter(cycle=cycle, learner__memberships__group=year)
                     .order_by("learner_id").values_list("document", flat=True))
        count = documents.count()

        def render() -> int:
            with tempfile.TemporaryFile() as out:
                render_reports((document_of(d) for d in documents.iterator(chunk_size=50)), out)
                return out.tell()

        started = time.perf_counter()
        size = render()  # timed alone: tracemalloc slows Python down several times
        seconds = time.perf_counter() - started
        tracemalloc.start()
        render()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["year_group_pdf"] = {"year_group": year.name if year else None, "learners": count,
                                    "seconds": round(seconds, 2), "per_learner_ms": round(1000 * seconds / max(count, 1), 1),
                                    "tracemalloc_peak_mb": round(peak / 2**20, 1),
                                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                                    "bytes": size}
    return result
