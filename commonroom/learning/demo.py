"""Demo course spaces and homework: generated, never real.

Every teaching group gets a course space with two weeks of sections and three pieces of homework set by
its teacher: one returned (due ten days ago, marked out of 10, with feedback), one past its due date
(most handed in, a few late, some not at all, not yet marked) and one due in five days (a few already
handed in). Called by the demo generator after the core records (``commonroom/demo/generator.py``). ``plan`` is the generator's ``DemoPlan`` (typed ``Any`` here so
that type-checking this app does not pull in the generator).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from commonroom.people.models import Group

FEEDBACK = ("Clear working: well done.", "Check your units in question 3.", "Good effort; show every step.",
            "Excellent: try the extension next time.", "Read the question carefully before you start.")


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    from commonroom.learning.models import Assignment, CourseSpace, Section, Submission

    rng = random.Random(seed + 61)
    tz = timezone.get_current_timezone()
    at = lambda day, hour: datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=tz)  # noqa: E731
    spaces = sections = assignments = submissions = 0
    for inst in plan.institutions:
        teacher_of = {group.id: person.id for group, person, role in inst.group_staff if role == "teacher"}
        members: dict[int, list[int]] = {}
        for learner in inst.learners:
            for group in learner.groups:
                members.setdefault(group.id, []).append(learner.person.id)
        teaching = [g for g in inst.groups if g.kind == Group.Kind.TEACHING]
        made = CourseSpace.objects.bulk_create([CourseSpace(institution_id=inst.id, group_id=g.id) for g in teaching])
        spaces += len(made)
        rows = [Section(institution_id=inst.id, space=space, position=week, title=f"Week {week + 1}",
                        body="Generated demo notes.\nRead the class notes and try the practice questions.",
                        links=[{"title": "BBC Bitesize", "url": "https://www.bbc.co.uk/bitesize"}])
                for space in made for week in range(2)]
        Section.objects.bulk_create(rows)
        sections += len(rows)
        work: list[tuple[Assignment, str]] = []
        for group in teaching:
            subject = group.subject or group.name
            for title, due, kind in ((f"{subject}: review questions", today - datetime.timedelta(days=10), "returned"),
                                     (f"{subject}: practice sheet", today - datetime.timedelta(days=2), "past"),
                                     (f"{subject}: project notes", today + datetime.timedelta(days=5), "upcoming")):
                work.append((Assignment(
                    institution_id=inst.id, group_id=group.id, title=title, state=Assignment.State.SET,
                    instructions="Generated demo homework. Answer every question and show your working.",
                    due_at=at(due, 8), expected_minutes=rng.choice((20, 30, 45)), mark_out_of=10,
                    set_by_id=teacher_of.get(group.id), set_at=at(due - datetime.timedelta(days=7), 15),
                    returned_at=at(due + datetime.timedelta(days=3), 16) if kind == "returned" else None), kind))
        Assignment.objects.bulk_create([a for a, _kind in work])
        assignments += len(work)
        subs: list[Submission] = []
        for assignment, kind in work:
            for learner_id in members.get(assignment.group_id, []):
                roll = rng.random()
                if (kind == "upcoming" and roll > 0.3) or (kind != "upcoming" and roll > 0.85):
                    continue
                late = kind != "upcoming" and roll > 0.75
                handed = assignment.due_at + datetime.timedelta(hours=6) if late else assignment.due_at - datetime.timedelta(hours=rng.randint(2, 60))
                marked = kind == "returned"
                subs.append(Submission(
                    institution_id=inst.id, assignment=assignment, learner_id=learner_id, text="Generated demo answer.",
                    handed_in_at=handed, late=late, attempts=1, mark=str(rng.randint(3, 10)) if marked else "",
                    feedback=rng.choice(FEEDBACK) if marked else "", marked_by_id=assignment.set_by_id if marked else None,
                    marked_at=assignment.returned_at if marked else None))
        Submission.objects.bulk_create(subs, batch_size=2000)
        submissions += len(subs)
    return (f"Learning: {spaces} course spaces, {sections} sections, {assignments} homework, "
            f"{submissions} hand-ins (generated)")
