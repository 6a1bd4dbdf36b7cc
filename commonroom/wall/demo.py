"""Demo Question Wall threads: generated, never real.

Every teaching group's course space (written by the learning demo) gets up to three questions from its
learners, some asked anonymously, each with a few answers from classmates and sometimes the teacher; the
teacher has endorsed one answer in the first thread and pinned it; in one group in five a post has been
reported and is waiting in the teacher's queue. ``plan`` is the generator's ``DemoPlan`` (typed ``Any`` so that
type-checking this app does not pull in the generator).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from commonroom.people.models import Group

QUESTIONS = (
    ("How do I start question 3?", "I got stuck on the second step of question 3 from the homework."),
    ("What does this word mean?", "The notes use a word I have not seen before. Can someone explain it?"),
    ("Is the test next week?", "Does anyone know if the test is next week or the week after?"),
    ("Any good videos on this topic?", "I learn better from videos. Has anyone found a good one?"),
    ("Do we need to show our working?", "For the practice sheet, do we need to write out every step?"),
)
ANSWERS = (
    "I think you start by writing down what you know, then look at the example in Week 1.",
    "There is a good explanation here: https://www.bbc.co.uk/bitesize",
    "Same question! I got stuck there too.",
    "Try drawing a diagram first, it helped me.",
    "The glossary at the back of the textbook has it.",
    "Wikipedia has a short summary: https://en.wikipedia.org/wiki/Mathematics",
)
TEACHER_ANSWERS = ("Good question. Have another look at the worked example in the notes.",
                   "Yes, please show your working: it helps me see where you are.")


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    from commonroom.learning.models import CourseSpace
    from commonroom.wall.models import Post, Report, Thread

    rng = random.Random(seed + 83)
    tz = timezone.get_current_timezone()
    threads_made = posts_made = reports_made = 0
    for inst in plan.institutions:
        teacher_of = {group.id: person.id for group, person, role in inst.group_staff if role == "teacher"}
        members: dict[int, list[int]] = {}
        for learner in inst.learners:
            for group in learner.groups:
                members.setdefault(group.id, []).append(learner.person.id)
        teaching = {g.id for g in inst.groups if g.kind == Group.Kind.TEACHING and members.get(g.id)}
        spaces = dict(CourseSpace.objects.filter(institution_id=inst.id, group_id__in=teaching)
                      .values_list("group_id", "pk"))
        threads: list[Thread] = []
        plans: list[tuple[int, int, list[int], int | None]] = []  # (group, asker, answerers, teacher)
        for index, group_id in enumerate(sorted(spaces)):
            learners = members[group_id]
            for n in range(rng.randint(1, 3)):
                asker = rng.choice(learners)
                title, _body = QUESTIONS[(index + n) % len(QUESTIONS)]
                when = datetime.datetime.combine(today - datetime.timedelta(days=rng.randint(0, 20)),
                                                 datetime.time(rng.randint(8, 20), rng.choice((0, 15, 30, 45))), tzinfo=tz)
                threads.append(Thread(institution_id=inst.id, space_id=spaces[group_id], title=title, author_id=asker,
                                      last_post_at=when, pinned=n == 0 and rng.random() < 0.3))
                others = [p for p in learners if p != asker]
                plans.append((group_id, asker, rng.sample(others, min(len(others), rng.randint(0, 3))),
                              teacher_of.get(group_id) if rng.random() < 0.4 else None))
        Thread.objects.bulk_create(threads)
        posts: list[Post] = []
        for thread, (_group, asker, answerers, teacher) in zip(threads, plans, strict=True):
            body = next(b for t, b in QUESTIONS if t == thread.title)
            posts.append(Post(institution_id=inst.id, thread=thread, author_id=asker, is_question=True, body=body,
                              anonymous=rng.random() < 0.4))
            for i, who in enumerate(answerers):
                posts.append(Post(institution_id=inst.id, thread=thread, author_id=who, body=rng.choice(ANSWERS),
                                  anonymous=rng.random() < 0.2, endorsed=i == 0 and teacher is not None,
                                  endorsed_by_id=teacher if i == 0 else None))
            if teacher is not None:
                posts.append(Post(institution_id=inst.id, thread=thread, author_id=teacher, body=rng.choice(TEACHER_ANSWERS)))
        Post.objects.bulk_create(posts, batch_size=2000)
        threads_made += len(threads)
        posts_made += len(posts)
        group_of = {t.pk: plan[0] for t, plan in zip(threads, plans, strict=True)}
        answers = [p for p in posts if not p.is_question]
        reports: list[Report] = []
        for post in answers[::5]:
            reporters = [m for m in members.get(group_of[post.thread_id], []) if m != post.author_id]
            if reporters:
                reports.append(Report(institution_id=inst.id, post=post, reporter_id=rng.choice(reporters),
                                      reason="This does not help with the question."))
        Report.objects.bulk_create(reports)
        reports_made += len(reports)
    return f"Question Wall: {threads_made} threads, {posts_made} posts, {reports_made} open reports (generated)"

