"""Each demo role's home page: server time (p50, p95, in milliseconds) and SQL query count."""

from __future__ import annotations

import statistics
import time

from benchmarks.scenarios.common import counting_queries, percentile

WARM_UP = 3


def run(*, repeat: int) -> dict:
    from django.test import Client

    from commonroom.demo.generator import DEMO_ACCOUNTS
    from commonroom.identity.models import User

    results = {}
    for username in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        for _ in range(WARM_UP):
            assert client.get("/").status_code == 200
        timings = []
        with counting_queries() as queries:
            response = client.get("/")
        assert response.status_code == 200
        query_count = queries.count
        for _ in range(repeat):
            started = time.perf_counter()
            client.get("/")
            timings.append((time.perf_counter() - started) * 1000)
        results[username] = {
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 0.95), 2),
            "queries": query_count,
            "bytes": len(response.content),
        }
    return results
