"""Platform evidence for the self-review: every measure computed for one institution (the demo head's
school), as the aspect page and the evidence API do, p50/p95 in ms and the query count; then the
evidence API for an aspect naming two measures (server time and queries).

    .venv/bin/python benchmarks/run.py --size school --scenario selfreview_evidence
"""

from __future__ import annotations

import time

from benchmarks.scenarios.attendance import _summary, _timed
from benchmarks.scenarios.common import counting_queries

WARM_UP = 3


def run(*, repeat: int) -> dict:
    from django.test import Client

    from commonroom.authz.actor import Actor
    from commonroom.common.dates import today
    from commonroom.identity.models import User
    from commonroom.organisations.models import Institution
    from commonroom.selfreview.measures import compute_all
    from commonroom.selfreview.models import Aspect, Review

    head = User.objects.get(username="demo.head")
    institution = Institution.objects.get(pk=head.person.role_assignments.filter(role="head")
                                          .values_list("institution_id", flat=True).first())
    day = today()

    def compute() -> list:  # type: ignore[type-arg]
        return compute_all(Actor.for_user(head), institution, day)

    for _ in range(WARM_UP):
        compute()
    with counting_queries() as queries:
        figures = compute()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        compute()
        timings.append((time.perf_counter() - started) * 1000)
    result = {"compute_all": _summary(timings, queries.count, institution=institution.name,
                                      figures={f.measure: f.display for f in figures})}

    review = Review.objects.filter(institution=institution, status=Review.Status.IN_PROGRESS).first()
    aspect = Aspect.objects.filter(element__framework_id=review.framework_id, code="4c-1").first() if review else None
    if review is not None and aspect is not None:
        client = Client()
        client.force_login(head)
        url = f"/api/v1/self-review/reviews/{review.pk}/answers/{aspect.pk}/evidence"
        api_timings, api_queries, _response = _timed(client, "get", url, repeat)
        result["evidence_api"] = _summary(api_timings, api_queries, measures=list(aspect.measures))
    return result
