"""A course page with 50 items (issue 6's speed target): server time (p50, p95, ms) and the query count.

The demo teacher's first teaching group's course space is measured, inside a transaction rolled back
afterwards: first with 5 resources in its sections, then with 50 (pages, links and videos spread over
five sections), as the teacher and as a learner of the group. The query count stays the same.

Run on its own (the runner's scenario list is shared, so this file registers nothing there):

    .venv/bin/python benchmarks/scenarios/course_page.py --size authority --database sqlite
    .venv/bin/python benchmarks/scenarios/course_page.py --size authority --database postgres

or, once listed in ``benchmarks/run.py``'s ``SCENARIOS``, as ``--scenario course_page``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.scenarios.attendance import _summary, _timed

SECTIONS = 5


def _fill(space, owner_id: int, count: int, tag: str) -> None:  # type: ignore[no-untyped-def]
    from commonroom.learning.models import Section
    from commonroom.resources.models import Resource, SectionItem

    sections = list(Section.objects.filter(space=space).order_by("position"))
    while len(sections) < SECTIONS:
        sections.append(Section.objects.create(institution_id=space.institution_id, space=space,
                                               position=len(sections), title=f"Benchmark week {len(sections) + 1}"))
    kinds = ("page", "link", "media")
    made = Resource.objects.bulk_create([
        Resource(institution_id=space.institution_id, owner_id=owner_id, title=f"Benchmark {tag} {i}", kind=kinds[i % 3],
                 description="A benchmark resource with a sentence of description.", audience="institution",
                 body="<p>Benchmark page</p>" if i % 3 == 0 else "",
                 url="https://www.bbc.co.uk/bitesize" if i % 3 == 1 else "https://vimeo.com/76979871" if i % 3 == 2 else "")
        for i in range(count)])
    SectionItem.objects.bulk_create([
        SectionItem(institution_id=space.institution_id, section=sections[i % SECTIONS], resource=r, position=100 + i)
        for i, r in enumerate(made)])


def run(*, repeat: int) -> dict:
    from django.db import transaction
    from django.test import Client

    from commonroom.common.dates import in_force
    from commonroom.identity.models import User
    from commonroom.learning.models import CourseSpace
    from commonroom.people.models import Group, GroupMembership, GroupStaff
    from commonroom.resources.models import SectionItem

    teacher = User.objects.get(username="demo.teacher")
    group_id = (GroupStaff.objects.filter(in_force(), person_id=teacher.person_id, group__kind=Group.Kind.TEACHING)
                .order_by("group_id").values_list("group_id", flat=True).first())
    assert group_id, "demo.teacher teaches no group"
    learner_id = GroupMembership.objects.filter(in_force(), group_id=group_id).values_list("learner_id", flat=True).first()
    result: dict = {"group_members": GroupMembership.objects.filter(in_force(), group_id=group_id).count()}
    with transaction.atomic():
        space, _made = CourseSpace.objects.get_or_create(group_id=group_id, defaults={
            "institution_id": Group.objects.get(pk=group_id).institution_id})
        SectionItem.objects.filter(section__space=space).delete()
        teacher_client, learner_client = Client(), Client()
        teacher_client.force_login(teacher)
        url = f"/courses/{space.pk}/"
        _fill(space, teacher.person_id, 5, "few")
        timings, few_queries, _r = _timed(teacher_client, "get", url, repeat)
        result["teacher_5_items"] = _summary(timings, few_queries)
        _fill(space, teacher.person_id, 45, "more")
        items = SectionItem.objects.filter(section__space=space).count()
        timings, queries, response = _timed(teacher_client, "get", url, repeat)
        result["teacher_50_items"] = _summary(timings, queries, items=items, bytes=len(response.content))  # type: ignore[attr-defined]
        if learner_id is not None:  # a learner of the group (given an account for the measurement, rolled back)
            learner = User.objects.filter(person_id=learner_id).first() or User.objects.create(
                username="bench.course.learner", person_id=learner_id)
            learner_client.force_login(learner)
            timings, learner_queries, response = _timed(learner_client, "get", url, repeat)
            result["learner_50_items"] = _summary(timings, learner_queries, bytes=len(response.content))  # type: ignore[attr-defined]
        transaction.set_rollback(True)
    result["query_count_constant"] = result["teacher_5_items"]["queries"] == result["teacher_50_items"]["queries"]
    return result


def main() -> None:
    import argparse
    import json

    from benchmarks.run import configure, ensure_data

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="authority", choices=["tiny", "default", "school", "authority"])
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    where = configure(options.size, options.database)
    data = ensure_data(options.size, options.seed)
    print(json.dumps({"size": options.size, "database": options.database, "where": where, "data": data,
                      "repeat": options.repeat, "scenarios": {"course_page": run(repeat=options.repeat)}}, indent=2))


if __name__ == "__main__":
    main()
