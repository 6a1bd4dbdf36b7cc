"""Action plans and authority targets in the persona world (called at the end of ``testing_world.extend``).

- ``a1.action``: from a1's finished review, aspect 1a-1 (level 3 there), target level 2, owned by
  a1.teacher, due ten days ago and still planned: overdue.
- ``b1.action``: from b1's review in progress, aspect 3a-1 (no level yet), target 2, owned by b1.teacher,
  due in a month.
- ``la1.target``, ``la2.target``: each authority wants 80% of its institutions at the threshold in
  element 1 of the schools framework by the end of next August.
"""

from __future__ import annotations

import datetime
from typing import Any

from commonroom.common.dates import today

ACTION_TITLES = {"a1": "World action a1", "b1": "World action b1"}


def action_named(world: Any, name: str) -> Any:
    from commonroom.selfreview.models_plans import Action

    return Action.objects.get(title=ACTION_TITLES[name.partition(".")[0]])


def target_named(world: Any, name: str) -> Any:
    from commonroom.selfreview.models_plans import AuthorityTarget

    return AuthorityTarget.objects.get(local_authority=world.authorities[name.partition(".")[0]], title="World target")


def extend_plans(world: Any) -> None:
    from commonroom.selfreview.models import AspectAnswer
    from commonroom.selfreview.models_plans import Action, AuthorityTarget
    from commonroom.selfreview.testing_world import review_named

    day = today()
    for inst, review_name, code, due in (("a1", "a1.finished", "1a-1", day - datetime.timedelta(days=10)),
                                         ("b1", "b1.current", "3a-1", day + datetime.timedelta(days=30))):
        review = review_named(world, review_name)
        answer = AspectAnswer.objects.select_related("aspect").get(review=review, aspect__code=code)
        Action.objects.create(
            institution=world.institutions[inst], review=review, aspect=answer.aspect, title=ACTION_TITLES[inst],
            level_when_added=answer.level, target_level=2, owner=world.people[f"{inst}.teacher"], due_on=due,
            added_on=day - datetime.timedelta(days=40), added_by=world.people[f"{inst}.head"])
    end = datetime.date(day.year + (1 if day.month >= 9 else 0), 8, 31)
    for la in ("la1", "la2"):
        AuthorityTarget.objects.create(local_authority=world.authorities[la], title="World target", framework_slug="schools",
                                       element_number=1, share=80, due_on=end, created_by=world.people[f"{la}.officer"])
