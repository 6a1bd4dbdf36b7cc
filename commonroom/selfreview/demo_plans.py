"""Demo rows for benchmarks, action plans and the authority view (generated, deterministic by seed).

Called at the end of ``demo.write_demo``: every institution of the demo authority gets completed reviews of
the schools framework over several years (levels improving a little each year, some elements reaching the
threshold), one institution has not reviewed for over a year, the head's school gets an action plan, and
the authority two targets.
"""

from __future__ import annotations

import datetime
import random
from typing import Any


def write_plans_demo(plan: Any, today: datetime.date, seed: int, school_id: int) -> str:
    from commonroom.authz.models import Role
    from commonroom.organisations.models import Institution
    from commonroom.selfreview.bulk import ReviewSpec, write_completed_reviews
    from commonroom.selfreview.models import Aspect, AspectAnswer, Framework, Review
    from commonroom.selfreview.models_plans import Action, AuthorityTarget

    rng = random.Random(seed + 71)
    framework = Framework.objects.get(slug="schools", version=1)
    specs = []
    stale = None
    for index, inst in enumerate(plan.institutions):
        head = next((p for p, role in inst.roles if role == Role.HEAD), inst.roles[0][0] if inst.roles else None)
        if head is None:
            continue
        years = 5 if index % 3 == 0 else 3
        start = {n: rng.choice((4, 4, 5, 5, 3)) for n in range(1, 9)}
        skip_recent = inst.id != school_id and stale is None and index > 0
        if skip_recent:
            stale = inst
        for k in range(years - 1, -1, -1):  # oldest first
            if inst.id == school_id and k == 1:
                continue  # the head's school already has last year's review (demo.py)
            if skip_recent and k == 0:
                continue
            gained = years - 1 - k
            levels = {n: max(1, start[n] - gained + rng.choice((0, 0, 1))) for n in start}
            specs.append(ReviewSpec(inst.id, head.id, today - datetime.timedelta(days=365 * k + 40 + index % 30),
                                    levels.__getitem__, f"Self-review {today.year - k} (generated)"))
    write_completed_reviews(framework, specs)

    head_id = plan.accounts["demo.head"].id
    teacher_id = plan.accounts["demo.teacher"].id
    last_year = Review.objects.filter(institution_id=school_id, status=Review.Status.COMPLETED,
                                      title__contains="generated demo data").order_by("-completed_on").first()
    actions = 0
    if last_year is not None:
        below = list(AspectAnswer.objects.filter(review=last_year, level__gt=2).select_related("aspect")
                     .order_by("aspect__code")[:3])
        states = [(Action.Status.IN_PROGRESS, -20), (Action.Status.DONE, -90), (Action.Status.PLANNED, 60)]
        for answer, (status, due) in zip(below, states, strict=False):
            Action.objects.create(
                institution_id=school_id, review=last_year, aspect=answer.aspect,
                title=f"Improve {answer.aspect.title[:60].lower()} (generated)", level_when_added=answer.level,
                target_level=(answer.level or 5) - 1, owner_id=teacher_id if actions % 2 else head_id,
                due_on=today + datetime.timedelta(days=due), cost=rng.choice((None, 150, 1200)), status=status,
                notes="Generated demo action", added_on=last_year.completed_on or today, added_by_id=head_id)
            actions += 1
    assert Aspect.objects.exists()
    officer_id = plan.accounts["demo.officer"].id
    authority_id = Institution.objects.filter(pk=school_id).values_list("local_authority_id", flat=True).first()
    targets = 0
    if authority_id:
        summer = datetime.date(today.year + (1 if today.month >= 9 else 0), 7, 31)
        AuthorityTarget.objects.create(local_authority_id=authority_id, title="80% at the threshold in leadership (generated)",
                                       framework_slug="schools", element_number=1, share=80, due_on=summer,
                                       created_by_id=officer_id)
        AuthorityTarget.objects.create(local_authority_id=authority_id,
                                       title="Every secondary offering online reporting (generated)",
                                       framework_slug="parental-engagement", phase="secondary", share=100,
                                       due_on=summer.replace(year=summer.year + 1), created_by_id=officer_id)
        targets = 2
    return (f"{len(specs)} earlier generated reviews across {len(plan.institutions)} institutions; "
            f"{actions} actions; {targets} authority targets")
