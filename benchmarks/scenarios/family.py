"""The parent portal: a child's page as their parent sees it (demo.parent's first child).

Server time (p50, p95, ms) and the query count of ``/children/<id>/``; then, inside a transaction that
is rolled back afterwards, the child gets many more rows (earlier years' attendance marks, incidents,
rewards, published grades in new subjects, published reports, and school events) and the page is
measured again: the query count stays the same. The calendar feed (``/calendar/<token>.ics``) is timed
for the same parent.
"""

from __future__ import annotations

import datetime

from benchmarks.scenarios.attendance import _summary, _timed

EXTRA = {"marks": 2000, "incidents": 300, "rewards": 300, "results": 300, "reports": 100, "events": 100}


def _pile_on(learner, parent) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from commonroom.common.dates import today
    from commonroom.family.models import Event
    from commonroom.people.models import Enrolment
    from commonroom.records.models import (
        AssessmentPoint,
        AssessmentResult,
        AttendanceMark,
        BehaviourCategory,
        Incident,
        IncidentLearner,
        PublishedReport,
        ReportCycle,
        Reward,
    )

    enrolment = Enrolment.objects.filter(learner=learner).order_by("start_date").first()
    inst_id = enrolment.institution_id
    first = AttendanceMark.objects.filter(learner=learner).order_by("date").values_list("date", flat=True).first() or today()
    day, marks = first, []
    while len(marks) < EXTRA["marks"]:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            marks += [AttendanceMark(institution_id=inst_id, learner=learner, enrolment=enrolment, date=day, session=s,
                                     code="/" if s == "AM" else "\\") for s in ("AM", "PM")]
    AttendanceMark.objects.bulk_create(marks, batch_size=1000)
    incident_kind = BehaviourCategory.objects.filter(institution_id=inst_id, kind="incident").first()
    reward_kind = BehaviourCategory.objects.filter(institution_id=inst_id, kind="reward").first()
    now = timezone.now()
    incidents = Incident.objects.bulk_create(
        Incident(institution_id=inst_id, category=incident_kind, severity=1, occurred_at=now - datetime.timedelta(hours=i + 1),
                 location="Benchmark", description="Benchmark") for i in range(EXTRA["incidents"]))
    IncidentLearner.objects.bulk_create(IncidentLearner(institution_id=inst_id, incident=incident, learner=learner,
                                                        role="participant", points=1) for incident in incidents)
    Reward.objects.bulk_create(Reward(institution_id=inst_id, category=reward_kind, learner=learner, points=1,
                                      awarded_on=today() - datetime.timedelta(days=i % 200)) for i in range(EXTRA["rewards"]))
    point = AssessmentPoint.objects.filter(institution_id=inst_id, published=True).order_by("-date").first()
    sample = AssessmentResult.objects.filter(institution_id=inst_id, point=point, aspect__visible_to_families=True).first()
    if sample is not None:
        AssessmentResult.objects.bulk_create(
            AssessmentResult(institution_id=inst_id, learner=learner, point=point, aspect=sample.aspect,
                             subject=f"Benchmark subject {i}", value=sample.value, rank=sample.rank, group=sample.group)
            for i in range(EXTRA["results"]))
    year = point.academic_year if point else None
    if year is not None:
        cycles = ReportCycle.objects.bulk_create(
            ReportCycle(institution_id=inst_id, name=f"Benchmark {i}", academic_year=year, deadline=today(),
                        status="published", published_at=now) for i in range(EXTRA["reports"]))
        PublishedReport.objects.bulk_create(PublishedReport(institution_id=inst_id, cycle=c, learner=learner, issued_at=now,
                                                            document={}) for c in cycles)
    Event.objects.bulk_create(Event(institution_id=inst_id, title=f"Benchmark event {i}", start_date=today() + datetime.timedelta(days=i),
                                    end_date=today() + datetime.timedelta(days=i), whole_school=True, published=True)
                              for i in range(EXTRA["events"]))
    return dict(EXTRA)


def run(*, repeat: int) -> dict:
    from django.db import transaction
    from django.test import Client

    from commonroom.authz.actor import Actor
    from commonroom.family.services import feed_create
    from commonroom.identity.models import User
    from commonroom.people.models import Learner

    parent = User.objects.get(username="demo.parent")
    actor = Actor.for_user(parent)
    children = sorted(actor.cared_for_learner_ids)
    assert children, "demo.parent has no children"
    learner = Learner.objects.get(pk=children[0])
    client = Client()
    client.force_login(parent)
    url = f"/children/{learner.pk}/"
    result: dict = {"children": len(children)}
    timings, queries, response = _timed(client, "get", url, repeat)
    result["child_page"] = _summary(timings, queries, bytes=len(response.content))  # type: ignore[attr-defined]
    with transaction.atomic():
        added = _pile_on(learner, parent)
        timings, queries_after, response = _timed(client, "get", url, repeat)
        result["child_page_with_more_rows"] = _summary(timings, queries_after, added=added,
                                                       bytes=len(response.content))  # type: ignore[attr-defined]
        _feed, token = feed_create(actor=actor)
        anonymous = Client()
        timings, queries, response = _timed(anonymous, "get", f"/calendar/{token}.ics", repeat)
        result["calendar_feed"] = _summary(timings, queries, bytes=len(response.content))  # type: ignore[attr-defined]
        transaction.set_rollback(True)
    result["query_count_constant"] = result["child_page"]["queries"] == result["child_page_with_more_rows"]["queries"]
    return result
