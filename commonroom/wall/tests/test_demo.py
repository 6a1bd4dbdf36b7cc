"""The demo hook: generated Question Wall threads on the ``tiny`` demo, the same for the same seed."""

from __future__ import annotations

import pytest

from commonroom.demo import generator
from commonroom.people.models import GroupMembership, GroupStaff
from commonroom.wall.models import Post, Report, Thread

pytestmark = pytest.mark.django_db


def _shape() -> list[tuple]:
    return list(Post.objects.order_by("pk").values_list("thread__title", "author_id", "is_question", "anonymous",
                                                        "endorsed", "body"))


def test_demo_threads_are_plausible_and_deterministic() -> None:
    generator.build("tiny", reset=True)
    first = _shape()
    assert Thread.objects.exists() and Report.objects.exists()
    assert Post.objects.filter(is_question=True).count() == Thread.objects.count()
    assert Post.objects.filter(anonymous=True).exists() and Post.objects.filter(endorsed=True).exists()
    for post in Post.objects.select_related("thread__space")[:200]:  # every author belongs to the group
        group = post.thread.space.group_id
        assert (GroupMembership.objects.filter(group_id=group, learner_id=post.author_id).exists()
                or GroupStaff.objects.filter(group_id=group, person_id=post.author_id).exists())
    for post in Post.objects.filter(endorsed=True)[:50]:
        assert not post.is_question and post.endorsed_by_id is not None
    generator.build("tiny", reset=True)
    second = _shape()
    assert [row[1:] for row in first] != [] and len(first) == len(second)
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in first] == [(r[0], r[2], r[3], r[4], r[5]) for r in second]
