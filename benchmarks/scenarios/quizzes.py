"""A class of 30 handing in a 20-question quiz within a minute.

The scenario builds its own school inside one transaction (a teaching group of ``--learners`` learners
with accounts, their teacher, 20 questions of all seven kinds: 14 asked every time and 6 drawn at random
from a pool of 12), then, through the pages as a browser would (Django's test client, signed in), each
learner starts the quiz (POST ``/quizzes/<id>/take/``), opens the one-page form (GET) and hands in
(POST with the attempt's token). Every learner submits once more (a double click): it must not create
or change anything. Then the teacher opens the results page. Everything is rolled back: the benchmark
database is left as it was.

Requests run one after another in one process (one worker), so ``submits_per_second`` is what one
worker sustains; the class of 30 fits in a minute if ``class_seconds`` is under 60. Commits are not
timed (each request is a savepoint of the outer transaction).

    .venv/bin/python benchmarks/run.py --size tiny --scenario quizzes
    .venv/bin/python -m benchmarks.scenarios.quizzes --database postgres
"""

from __future__ import annotations

import datetime
import statistics
import time

from benchmarks.scenarios.common import counting_queries, percentile

DEFAULT_LEARNERS = 30
FIXED = 14
DRAWN = 6
POOL = 12


class _Rollback(Exception):
    pass


def _specs(n: int) -> list[object]:
    from commonroom.quizzes.spec import QuestionSpec

    kinds = [
        ("single", {"choices": [{"id": "A", "text": "1"}, {"id": "B", "text": "2"}, {"id": "C", "text": "3"}], "correct": ["B"]}),
        ("multiple", {"choices": [{"id": "A", "text": "2"}, {"id": "B", "text": "4"}, {"id": "C", "text": "5"}],
                      "correct": ["A", "C"]}),
        ("true_false", {"correct": True}),
        ("numeric", {"answer": 3.5, "tolerance": 0.05}),
        ("text", {"accepted": ["Paris"], "case_sensitive": False}),
        ("matching", {"left": [{"id": "L1", "text": "a"}, {"id": "L2", "text": "b"}, {"id": "L3", "text": "c"}],
                      "right": [{"id": "R1", "text": "1"}, {"id": "R2", "text": "2"}, {"id": "R3", "text": "3"}],
                      "pairs": [["L1", "R1"], ["L2", "R2"], ["L3", "R3"]]}),
        ("ordering", {"items": [{"id": "I1", "text": "x"}, {"id": "I2", "text": "y"}, {"id": "I3", "text": "z"}],
                      "order": ["I1", "I2", "I3"]}),
    ]
    kind, data = kinds[n % len(kinds)]
    return QuestionSpec(kind, f"Benchmark question {n}", data, "Right.", "Not quite.", ("pool",) if n >= FIXED else ("bench",))


def _answers(view, n: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A form post: right answers for most questions, a wrong one now and then."""
    post: dict[str, object] = {"token": str(view.attempt.token)}
    for i, item in enumerate(view.items):
        s = item.shown
        wrong = (n + i) % 4 == 0
        kind = s.spec.kind
        if kind == "single":
            post[s.name] = "A" if wrong else "B"
        elif kind == "multiple":
            post[s.name] = ["A"] if wrong else ["A", "C"]
        elif kind == "true_false":
            post[s.name] = "false" if wrong else "true"
        elif kind == "numeric":
            post[s.name] = "3.7" if wrong else "3.49"
        elif kind == "text":
            post[s.name] = "London" if wrong else " paris "
        elif kind == "matching":
            for row in s.rows:
                post[row["field"]] = "R1" if wrong else "R" + row["id"][1:]
        elif kind == "ordering":
            for row in s.rows:
                post[row["field"]] = str(int(row["id"][1:]))
    return post


def _build(learners: int):  # type: ignore[no-untyped-def]
    from commonroom.authz.actor import Actor
    from commonroom.authz.models import Role, RoleAssignment
    from commonroom.common.dates import today
    from commonroom.identity.models import User
    from commonroom.organisations.models import AcademicYear, Institution
    from commonroom.people.models import Enrolment, Group, GroupMembership, GroupStaff, Learner, Person
    from commonroom.quizzes import services

    day = today()
    year_start = datetime.date(day.year - (1 if day.month < 9 else 0), 9, 1)
    start = day - datetime.timedelta(days=30)
    inst = Institution.objects.create(name="Quiz bench school", kind="secondary", phase="secondary")
    year = AcademicYear.objects.create(institution=inst, name="QB", start_date=year_start,
                                       end_date=datetime.date(year_start.year + 1, 8, 31))
    group = Group.objects.create(institution=inst, academic_year=year, kind=Group.Kind.TEACHING, code="QB1",
                                 name="Quiz bench maths", subject="Mathematics")
    teacher = Person.objects.create(given_name="Teacher", family_name="Quizbench")
    RoleAssignment.objects.create(person=teacher, role=Role.TEACHER, institution=inst, start_date=start)
    GroupStaff.objects.create(institution=inst, group=group, person=teacher, role=GroupStaff.Role.TEACHER, start_date=start)
    teacher_user = User.objects.create(username="quizbench-teacher", person=teacher)
    users = []
    for n in range(learners):
        person = Person.objects.create(given_name=f"Pupil{n}", family_name="Quizbench")
        Learner.objects.create(person=person)
        Enrolment.objects.create(institution=inst, learner_id=person.pk, start_date=start)
        GroupMembership.objects.create(institution=inst, group=group, learner_id=person.pk, start_date=start)
        users.append(User.objects.create(username=f"quizbench-{n}", person=person))
    actor = Actor(person_id=teacher.pk, label="teacher")
    questions = [services.question_save(actor=actor, spec=_specs(n), institution_id=inst.pk)  # type: ignore[arg-type]
                 for n in range(FIXED + POOL)]
    quiz = services.quiz_save(actor=actor, group=group, title="Benchmark quiz", mode="practice", state="set",
                              question_ids=[q.pk for q in questions[:FIXED]], pool_tags=["pool"], pool_size=DRAWN)
    return quiz, users, teacher_user


def measure(learners: int = DEFAULT_LEARNERS) -> dict:
    from django.db import connection, transaction
    from django.test import Client

    from commonroom.authz.actor import Actor
    from commonroom.quizzes import selectors
    from commonroom.quizzes.models import Attempt, AttemptAnswer

    results: dict = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            quiz, users, teacher_user = _build(learners)
            results["build_seconds"] = round(time.perf_counter() - started, 2)
            starts: list[float] = []
            pages: list[float] = []
            submits: list[float] = []
            resubmits: list[float] = []
            with counting_queries() as queries:
                class_started = time.perf_counter()
                for n, user in enumerate(users):
                    client = Client()
                    client.force_login(user)
                    one = time.perf_counter()
                    response = client.post(f"/quizzes/{quiz.pk}/take/")
                    starts.append((time.perf_counter() - one) * 1000)
                    assert response.status_code == 302, response.status_code
                    url = response["Location"]
                    one = time.perf_counter()
                    assert client.get(url).status_code == 200
                    pages.append((time.perf_counter() - one) * 1000)
                    attempt_id = int(url.rstrip("/").rsplit("/", 1)[1])
                    view = selectors.attempt_view(Actor(person_id=user.person_id, label="bench"), attempt_id)
                    post = _answers(view, n)
                    one = time.perf_counter()
                    assert client.post(url, post).status_code == 302
                    submits.append((time.perf_counter() - one) * 1000)
                    one = time.perf_counter()
                    assert client.post(url, post).status_code == 302  # the double click
                    resubmits.append((time.perf_counter() - one) * 1000)
                class_seconds = time.perf_counter() - class_started
            submitted = Attempt.objects.filter(quiz=quiz, state="submitted").count()
            teacher = Client()
            teacher.force_login(teacher_user)
            one = time.perf_counter()
            with counting_queries() as result_queries:
                assert teacher.get(f"/quizzes/{quiz.pk}/results/").status_code == 200
            results_ms = (time.perf_counter() - one) * 1000
            correct = AttemptAnswer.objects.filter(attempt__quiz=quiz, correct=True).count()
            answered = AttemptAnswer.objects.filter(attempt__quiz=quiz).count()
            results.update({
                "learners": learners, "questions_per_attempt": FIXED + DRAWN, "attempts": submitted,
                "attempts_created_by_double_submit": submitted - learners,
                "answers_scored": answered, "answers_right": correct,
                "class_seconds": round(class_seconds, 2), "fits_in_a_minute": class_seconds < 60,
                "submits_per_second": round(len(submits) / sum(s / 1000 for s in submits), 1),
                "learners_per_second_start_to_hand_in": round(learners / class_seconds, 1),
                "start_ms": {"p50": round(statistics.median(starts), 1), "p95": round(percentile(starts, 0.95), 1)},
                "form_page_ms": {"p50": round(statistics.median(pages), 1), "p95": round(percentile(pages, 0.95), 1)},
                "submit_ms": {"p50": round(statistics.median(submits), 1), "p95": round(percentile(submits, 0.95), 1)},
                "double_submit_ms": {"p50": round(statistics.median(resubmits), 1),
                                     "p95": round(percentile(resubmits, 0.95), 1)},
                "queries_per_learner": round(queries.count / learners, 1),
                "results_page_ms": round(results_ms, 1), "results_page_queries": result_queries.count,
                "database": connection.vendor,
            })
            raise _Rollback()
    except _Rollback:
        pass
    return results


def run(*, repeat: int) -> dict:
    """For benchmarks/run.py: one class of DEFAULT_LEARNERS (``repeat`` is not used)."""
    del repeat
    return measure(DEFAULT_LEARNERS)


if __name__ == "__main__":
    import argparse
    import json
    import os

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=DEFAULT_LEARNERS)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--size", default="tiny", help="which benchmark database to borrow (it is left unchanged)")
    options = parser.parse_args()
    from benchmarks.run import configure

    where = configure(options.size, options.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # pages are served as in production
    import platform

    print(json.dumps({"scenario": "quizzes", "where": where, "python": platform.python_version(),
                      "machine": f"{platform.machine()} {os.cpu_count()} cpus", "result": measure(options.learners)},
                     indent=2))
