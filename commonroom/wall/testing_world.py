"""The Question Wall in the persona world (after learning's course spaces).

At a1 and b1:

- maths: "How do I add fractions?", asked anonymously by learnerA1, answered by learnerA2 (by name), by
  the teacher, and by learnerB1 (hidden by the teacher: "Off topic"); learnerB1 reported learnerA2's
  answer ("Rude", open);
- art: "Which pencils for shading?", asked by learnerA1 by name (a1.teacher2 is barred from learnerA1),
  answered by learnerA2.

b1 has changed its allowed sites (bbc.co.uk, wikipedia.org, example.net); a1 keeps the defaults.
"""

from __future__ import annotations

from django.utils import timezone

from commonroom.learning.models import CourseSpace
from commonroom.wall.models import Post, Report, Thread, WallSettings

MATHS_TITLE = "How do I add fractions?"
ART_TITLE = "Which pencils for shading?"


def extend(world) -> None:  # type: ignore[no-untyped-def]
    for key in ("a1", "b1"):
        _school(world, key)
    WallSettings.objects.create(institution=world.institutions["b1"],
                                allowed_sites=["bbc.co.uk", "wikipedia.org", "example.net"])


def _school(world, key: str) -> None:  # type: ignore[no-untyped-def]
    inst = world.institutions[key]
    now = timezone.now()

    def person(who: str):  # type: ignore[no-untyped-def]
        return world.people[f"{key}.{who}"] if f"{key}.{who}" in world.people else world.learners[f"{key}.{who}"].person

    def thread(group: str, title: str, asker: str, body: str, anonymous: bool) -> Thread:
        space = CourseSpace.objects.get(group=world.groups[f"{key}.{group}"])
        row = Thread.objects.create(institution=inst, space=space, title=title, author=person(asker), last_post_at=now)
        Post.objects.create(institution=inst, thread=row, author=person(asker), is_question=True, body=body,
                            anonymous=anonymous)
        return row

    def answer(row: Thread, who: str, body: str, **extra: object) -> Post:
        return Post.objects.create(institution=inst, thread=row, author=person(who), body=body, **extra)

    maths = thread("maths", MATHS_TITLE, "learnerA1", "I never know what to do with the bottom numbers.", True)
    rude = answer(maths, "learnerA2", "Find a common denominator first: https://www.bbc.co.uk/bitesize")
    answer(maths, "teacher", "Look at Week 1's notes.")
    answer(maths, "learnerB1", "Anyone up for football?", hidden=True, hidden_reason="Off topic",
           hidden_by=person("teacher"), hidden_at=now)
    Report.objects.create(institution=inst, post=rude, reporter=person("learnerB1"), reason="Rude")
    art = thread("art", ART_TITLE, "learnerA1", "HB or 2B?", False)
    answer(art, "learnerA2", "2B for the dark parts.")
