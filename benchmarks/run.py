#!/usr/bin/env python3
"""Benchmark runner: builds (once) a demo database of the chosen size, runs scenarios, prints JSON.

    .venv/bin/python benchmarks/run.py --size authority --database sqlite
    .venv/bin/python benchmarks/run.py --size authority --database postgres
    .venv/bin/python benchmarks/run.py --size school --scenario home_pages --repeat 50

Databases are kept between runs: var/bench-<size>.sqlite3, or the PostgreSQL database
commonroom_bench_<size> on $BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432; $BENCH_POSTGRES_DB names another database).
Server time is measured in-process around Django's request handling (no network), so it is
the time the server spends on a request; figures are for comparison between runs on one machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCENARIOS = ["home_pages", "attendance", "imports", "assessment", "oneroster", "ctf", "alerts", "family", "quizzes",
             "learner_home", "course_page", "selfreview_evidence", "selfreview_la"]


def configure(size: str, database: str) -> str:
    if database == "sqlite":
        (ROOT / "var").mkdir(exist_ok=True)
        url = f"sqlite:///{ROOT / 'var' / f'bench-{size}.sqlite3'}"
    else:
        server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
        name = os.environ.get("BENCH_POSTGRES_DB") or f"commonroom_bench_{size}"
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            exists = connection.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
            if not exists:
                connection.execute(f'create database "{name}"')
        url = f"{server}/{name}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonroom.config.settings")
    os.environ.setdefault("COMMONROOM_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("COMMONROOM_HTTPS", "0")
    os.environ.setdefault("COMMONROOM_DEMO", "1")
    import django

    django.setup()
    return url.split("@")[-1]


def ensure_data(size: str, seed: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from commonroom.organisations.models import Institution
    from commonroom.people.models import Learner

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # pages are served as in production
    if not Institution.objects.exists():
        from commonroom.demo.generator import build

        started = time.perf_counter()
        build(size, seed=seed, stdout=sys.stderr)
        built = round(time.perf_counter() - started, 1)
        print(f"built {size} demo in {built}s", file=sys.stderr)
        (ROOT / "var").mkdir(exist_ok=True)
        (ROOT / "var" / f"bench-{size}-{connection.vendor}-built.txt").write_text(f"{built}\n")
    built_file = ROOT / "var" / f"bench-{size}-{connection.vendor}-built.txt"
    return {
        "institutions": Institution.objects.count(),
        "learners": Learner.objects.count(),
        "demo_build_seconds": float(built_file.read_text()) if built_file.exists() else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="authority", choices=["tiny", "default", "school", "authority"])
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--scenario", action="append", choices=SCENARIOS)
    parser.add_argument("--repeat", type=int, default=30, help="measured requests per page (after 3 warm-ups)")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()

    where = configure(options.size, options.database)
    data = ensure_data(options.size, options.seed)
    results = {}
    for name in options.scenario or SCENARIOS:
        module = importlib.import_module(f"benchmarks.scenarios.{name}")
        results[name] = module.run(repeat=options.repeat)
    from django.db import connection

    print(
        json.dumps(
            {
                "size": options.size,
                "database": options.database,
                "database_version": connection.pg_version  # type: ignore[attr-defined]
                if options.database == "postgres"
                else connection.Database.sqlite_version,
                "where": where,
                "data": data,
                "python": platform.python_version(),
                "machine": f"{platform.machine()} {os.cpu_count()} cpus",
                "repeat": options.repeat,
                "scenarios": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
