"""Demo shared resources: generated, never real.

In every institution the first three teachers of teaching groups (by the plan's order) each make three
resources for their subject: a page of starter questions, a link and a video. The first teacher's page
is shared with the local authority, the second's with the school, the videos with everyone; the links
stay private. Each teacher's page is placed in Week 1 of their first group's course space, their link
is attached to that group's upcoming homework ("project notes"), and a few teachers of other schools rate
the pages shared with the authority. Called after the learning demo
(``APP_DEMO_ORDER``), which made the course spaces and their sections.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

VIDEOS = ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://vimeo.com/76979871")


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    from commonroom.learning.models import Assignment, AssignmentResource, Section
    from commonroom.resources.models import Rating, Resource, SectionItem

    rng = random.Random(seed + 71)
    made: list[Resource] = []
    placements: list[tuple[Resource, int]] = []
    links: list[tuple[Resource, int]] = []
    shared_pages: list[Resource] = []
    for inst in plan.institutions:
        first_group: dict[int, Any] = {}
        for group, person, role in inst.group_staff:
            if role == "teacher" and group.subject and person.id not in first_group:
                first_group[person.id] = group
        for number, (person_id, group) in enumerate(list(first_group.items())[:3]):
            subject, year = group.subject, group.nc_year or 7
            stage = "KS2" if year <= 6 else "KS3" if year <= 9 else "KS4" if year <= 11 else "KS5"
            page = Resource(institution_id=inst.id, owner_id=person_id, kind="page", subject=subject, key_stage=stage,
                            title=f"{subject}: ten starter questions", topic="Starters",
                            description="Generated demo starters for the first lesson of a topic.",
                            audience=("authority", "institution", "private")[number],
                            body="<h2>Starters</h2><ol>" + "".join(f"<li>Generated question {i}.</li>" for i in range(1, 11))
                                 + "</ol><p>Answers at the <strong>end of the lesson</strong>.</p>")
            link = Resource(institution_id=inst.id, owner_id=person_id, kind="link", subject=subject, key_stage=stage,
                            title=f"{subject} on BBC Bitesize", url="https://www.bbc.co.uk/bitesize", audience="private")
            video = Resource(institution_id=inst.id, owner_id=person_id, kind="media", subject=subject, key_stage=stage,
                             title=f"{subject}: a short introduction (video)", url=rng.choice(VIDEOS),
                             audience="everyone", description="Generated demo video link.")
            made += [page, link, video]
            placements.append((page, group.id))
            links.append((link, group.id))
            if page.audience == "authority":
                shared_pages.append(page)
    Resource.objects.bulk_create(made)
    week_one = {space_group: pk for pk, space_group in Section.objects.filter(
        position=0, space__group_id__in=[g for _r, g in placements]).values_list("pk", "space__group_id")}
    items = [SectionItem(institution_id=r.institution_id, section_id=week_one[g], resource=r, position=0,
                         added_by_id=r.owner_id) for r, g in placements if g in week_one]
    SectionItem.objects.bulk_create(items)
    upcoming = dict(Assignment.objects.filter(group_id__in=[g for _r, g in links], title__endswith=": project notes")
                    .order_by("group_id", "-pk").values_list("group_id", "pk"))
    attached = [AssignmentResource(institution_id=r.institution_id, assignment_id=upcoming[g], resource=r, position=0,
                                   added_by_id=r.owner_id) for r, g in links if g in upcoming]
    AssignmentResource.objects.bulk_create(attached)
    raters = [person.id for inst in plan.institutions for _g, person, role in inst.group_staff if role == "teacher"]
    ratings: list[Rating] = []
    for page in shared_pages:
        for person_id in rng.sample(sorted(set(raters) - {page.owner_id}), k=min(3, max(0, len(set(raters)) - 1))):
            ratings.append(Rating(resource=page, person_id=person_id, stars=rng.randint(3, 5)))
    Rating.objects.bulk_create(ratings)
    for page in shared_pages:
        stars = [r.stars for r in ratings if r.resource is page]
        page.rating_count, page.rating_total = len(stars), sum(stars)
    Resource.objects.bulk_update(shared_pages, ["rating_count", "rating_total"])
    return (f"Resources: {len(made)} resources ({len(shared_pages)} shared with the authority), {len(items)} placed "
            f"in course sections, {len(attached)} attached to homework, {len(ratings)} ratings (generated)")
