"""Course spaces and homework in the persona world.

At a1 and b1:

- course spaces for ``maths``, ``art`` and ``formA``, each with one section ("Week 1");
- in maths, "Fractions" (set, due in a week): handed in by learnerA1 (text, marked 7 out of 10, not yet
  returned); and "Algebra" (set, due three days ago, no late work): handed in on time by learnerB1 and
  returned with a mark of 8, NOT handed in by learnerA2 (overdue);
- in art, "Sketchbook" (set, due in two days): handed in by learnerA1 (whom a1.teacher2 is barred from)
  and by learnerA2; and "Portrait" (a draft: only those who manage the group see it).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from commonroom.learning.models import Assignment, CourseSpace, Section, Submission


def extend(world) -> None:  # type: ignore[no-untyped-def]
    for key in ("a1", "b1"):
        _school(world, key, timezone.now())


def _school(world, key: str, now: datetime.datetime) -> None:  # type: ignore[no-untyped-def]
    inst = world.institutions[key]
    teacher, teacher2 = world.people[f"{key}.teacher"], world.people[f"{key}.teacher2"]
    for suffix in ("maths", "art", "formA"):
        space = CourseSpace.objects.create(institution=inst, group=world.groups[f"{key}.{suffix}"])
        Section.objects.create(institution=inst, space=space, position=0, title="Week 1", body="Read chapter 1.\nTry the quiz.",
                               links=[{"title": "Bitesize", "url": "https://www.bbc.co.uk/bitesize"}])

    def assignment(group: str, title: str, due: datetime.timedelta, state: str = "set", **extra: object) -> Assignment:
        return Assignment.objects.create(
            institution=inst, group=world.groups[f"{key}.{group}"], title=title, instructions="Do the exercises.",
            due_at=now + due, state=state, set_by=teacher if group == "maths" else teacher2,
            set_at=now - datetime.timedelta(days=7) if state == "set" else None, **extra)

    def hand_in(a: Assignment, who: str, **extra: object) -> Submission:
        fields = {"text": "My answer", "handed_in_at": a.due_at - datetime.timedelta(hours=5), "attempts": 1} | extra
        return Submission.objects.create(institution=inst, assignment=a, learner=world.learners[f"{key}.{who}"], **fields)

    fractions = assignment("maths", "Fractions", datetime.timedelta(days=7), mark_out_of=10)
    hand_in(fractions, "learnerA1", mark="7", feedback="Good work", marked_by=teacher, marked_at=now)
    algebra = assignment("maths", "Algebra", -datetime.timedelta(days=3), mark_out_of=10, allow_late=False,
                         returned_at=now - datetime.timedelta(days=1))
    hand_in(algebra, "learnerB1", mark="8", feedback="Well done", marked_by=teacher, marked_at=now)
    sketchbook = assignment("art", "Sketchbook", datetime.timedelta(days=2))
    hand_in(sketchbook, "learnerA1")
    hand_in(sketchbook, "learnerA2")
    assignment("art", "Portrait", datetime.timedelta(days=14), state="draft")
