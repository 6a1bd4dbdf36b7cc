"""Who may see and change course spaces, homework and hand-ins, in the school's words.

- A course space is seen by the group's learners (membership in force), by its staff (teacher, tutor,
  assistant in force) and by the school's leaders (head and senior leaders), who may manage teaching
  anywhere in their school. It is managed (sections, homework) by the group's teachers and tutors and by
  those leaders.
- Homework (an assignment) is seen, once set, by whoever sees the space, and by the parents and carers
  (not barred) of a learner in the group; a draft only by those who manage it. A learner of the group
  hands work in while it is set.
- A hand-in (submission) is seen by the learner, their parents and carers (not barred), and those who
  manage the group's homework; marked by those managers. Someone barred from the learner (a court
  order, or a teacher who is also a barred contact) sees none of it and cannot mark it: the bar wins.
  Whether a mark and feedback are shown to the learner and the family (only once the work is returned)
  is decided in ``selectors.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import Role
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate, Rule
from commonroom.common.dates import in_force
from commonroom.learning.models import Assignment, CourseSpace, Section, Submission
from commonroom.people.models import Group, GroupMembership, GroupStaff
from commonroom.people.policies import (
    ThroughLearner,
    guardian_of,
    is_the_learner,
    member_of_group,
    not_barred,
    staffs_group,
)

# Whole-institution roles that may manage teaching in every group of their school.
TEACHING_LEADERS = (Role.HEAD, Role.LEADER)
# Group roles that manage the group's space and homework (an assistant only sees it).
MANAGING_GROUP_ROLES = frozenset({GroupStaff.Role.TEACHER, GroupStaff.Role.TUTOR})


def _managed_group_ids(actor: Actor) -> list[int]:
    return sorted(g for g, roles in actor.staff_groups.items() if roles & MANAGING_GROUP_ROLES)


teaches_the_group = Predicate(
    "teaches or tutors the group",
    lambda actor, group: bool(actor.staff_groups.get(group.pk, frozenset()) & MANAGING_GROUP_ROLES),
    lambda actor: Q(pk__in=_managed_group_ids(actor)) if _managed_group_ids(actor) else NOTHING,
)
leads_teaching_at_groups_school = Predicate(
    "is the head or a senior leader at the group's school",
    lambda actor, group: group.institution_id in actor.institutions_where(*TEACHING_LEADERS),
    lambda actor: Q(institution_id__in=sorted(actor.institutions_where(*TEACHING_LEADERS)))
    if actor.institutions_where(*TEACHING_LEADERS) else NOTHING,
)
guardian_of_member = Predicate(
    "is a parent or carer (not barred) of a learner in the group",
    lambda actor, group: bool(actor.cared_for_learner_ids) and GroupMembership.objects.filter(
        in_force(on=actor.on), group_id=group.pk, learner_id__in=sorted(actor.cared_for_learner_ids)).exists(),
    lambda actor: Q(pk__in=GroupMembership.objects.filter(
        in_force(on=actor.on), learner_id__in=sorted(actor.cared_for_learner_ids)).values("group_id"))
    if actor.cared_for_learner_ids else NOTHING,
)

COURSE_VIEW = staffs_group | member_of_group | leads_teaching_at_groups_school
COURSE_MANAGE = teaches_the_group | leads_teaching_at_groups_school
register(Group, view_course=COURSE_VIEW, manage_course=COURSE_MANAGE)


class ThroughGroup(Predicate):
    """A group rule applied to a row reached from a group (``path`` is the way to its group)."""

    def __init__(self, rule: Rule, path: str = "group", *, extra: Q | None = None, extra_check: Any = None) -> None:
        self.rule, self.path, self.extra, self.extra_check = rule, path, extra, extra_check
        super().__init__(f"group: {rule.name}", self._check_row, self._q_row)

    def _group_of(self, row: Any) -> Group:
        obj = row
        for step in self.path.split("__"):
            obj = getattr(obj, step)
        return obj

    def _check_row(self, actor: Actor, row: Any) -> bool:
        if self.extra_check is not None and not self.extra_check(row):
            return False
        return self.rule.check(actor, self._group_of(row))

    def _q_row(self, actor: Actor) -> Q:
        q = Q(**{f"{self.path}_id__in": Group.objects.filter(self.rule.q(actor)).values("pk")})
        return q & self.extra if self.extra is not None else q


def _is_set(assignment: Assignment) -> bool:
    return assignment.state == Assignment.State.SET


register(CourseSpace, view=ThroughGroup(COURSE_VIEW), manage=ThroughGroup(COURSE_MANAGE))
register(Section, view=ThroughGroup(COURSE_VIEW, "space__group"), manage=ThroughGroup(COURSE_MANAGE, "space__group"))

ASSIGNMENT_MANAGE = ThroughGroup(COURSE_MANAGE)
# Also who opens the resources attached to the homework (``resources/policies.py``).
ASSIGNMENT_VIEW = ASSIGNMENT_MANAGE | ThroughGroup(COURSE_VIEW | guardian_of_member, extra=Q(state=Assignment.State.SET),
                                                   extra_check=_is_set)
register(
    Assignment,
    manage=ASSIGNMENT_MANAGE,
    view=ASSIGNMENT_VIEW,
    hand_in=ThroughGroup(member_of_group, extra=Q(state=Assignment.State.SET), extra_check=_is_set),
)

# Hand-ins: the learner and their family, and those who manage the group's homework; never anyone barred.
_managed_submission = ThroughGroup(COURSE_MANAGE, "assignment__group")
SUBMISSION_MARK = _managed_submission & ThroughLearner(not_barred)
_learner_or_family = ThroughLearner((is_the_learner | guardian_of) & not_barred,
                                    name="the learner, or a parent or carer (not barred)")
work_returned = Predicate(
    "the work has been returned",
    lambda actor, submission: submission.assignment.returned_at is not None,
    lambda actor: Q(assignment__returned_at__isnull=False),
)
register(
    Submission,
    view=_learner_or_family | SUBMISSION_MARK,
    mark=SUBMISSION_MARK,
    # The teacher's annotated feedback file: like the mark, the learner and family get it once the work is returned.
    view_feedback=(_learner_or_family & work_returned) | SUBMISSION_MARK,
)
