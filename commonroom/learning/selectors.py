"""Reads of course spaces and homework, each starting from the ``authz`` filter.

For other apps (the parent portal's child page, calendar feed and alerts):

- ``homework_for_learner(actor, learner_id)``: the homework set for a learner's groups, with the due
  time, whether it was handed in, late, and the mark and feedback once returned. Through ``authz``
  (the learner, their parents and carers not barred, their teachers and the school's leaders);
  missing and forbidden both raise ``NotFound``. A constant number of queries.
- ``overdue_without_hand_in(on)``: (assignment, learner) pairs for homework due on a day that a
  learner of the group has not handed in; for a system task, so it does no authorisation itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import can, get_for, visible
from commonroom.common.dates import in_force
from commonroom.learning import services
from commonroom.learning.models import Assignment, AssignmentResource, CourseSpace, Section, Submission
from commonroom.people.models import Group, GroupMembership, Learner
from commonroom.people.policies import learner_institutions

# Course spaces ------------------------------------------------------------------------------------


def my_course_spaces(actor: Actor) -> list[CourseSpace]:
    """The spaces of the groups the actor belongs to or staffs today (created on first sight)."""
    if actor.person_id is None:
        return []
    staffed = sorted(actor.staff_groups)
    groups = list(Group.objects.filter(
        Q(pk__in=staffed) | Q(pk__in=GroupMembership.objects.filter(in_force(on=actor.on), learner_id=actor.person_id)
                             .values("group_id")),
        kind__in=services.SPACE_KINDS,
    ).values_list("pk", flat=True))
    services.ensure_spaces(groups)
    return list(visible(actor, CourseSpace).filter(group_id__in=groups).select_related("group")
                .order_by("group__kind", "group__subject", "group__code"))


@dataclass
class SpaceView:
    space: CourseSpace
    sections: list[Section]
    assignments: list[Assignment]
    can_manage: bool
    teachers: list[str] = field(default_factory=list)
    learner_count: int = 0


def course_space(actor: Actor, pk: int) -> SpaceView:
    space = get_for(actor, CourseSpace, pk, queryset=CourseSpace.objects.select_related("group"))
    manage = can(actor, "manage", space)
    assignments = visible(actor, Assignment).filter(group_id=space.group_id)
    teachers = [f"{given} {family}" for given, family in space.group.staff.filter(in_force(on=actor.on))
                .order_by("person__family_name").values_list("person__given_name", "person__family_name")]
    count = GroupMembership.objects.filter(in_force(on=actor.on), group_id=space.group_id).count() if manage else 0
    sections = list(space.sections.all())
    from commonroom.resources.selectors import attach_items  # the sections' resources (pages, files, links, videos)

    attach_items(actor, sections)
    return SpaceView(space, sections, list(assignments.order_by("-due_at", "pk")), manage, teachers, count)


# Homework -----------------------------------------------------------------------------------------


@dataclass
class HomeworkItem:
    """One piece of homework as a learner (or their family) sees it."""

    assignment: Assignment
    group_name: str
    subject: str
    due_at: datetime.datetime
    expected_minutes: int
    handed_in: bool
    handed_in_at: datetime.datetime | None
    on_paper: bool
    late: bool
    overdue: bool  # past due and not handed in
    returned: bool
    mark: str  # only once returned
    feedback: str  # only once returned
    mark_out_of: int | None
    submission_id: int | None
    has_feedback_file: bool = False  # only once returned

    @property
    def status(self) -> str:
        from django.utils.translation import gettext as _

        if self.returned and self.handed_in:
            return _("Returned")
        if self.handed_in:
            return _("Handed in late") if self.late else _("Handed in")
        if self.overdue:
            return _("Overdue: not handed in")
        return _("To do")


def homework_for_learner(actor: Actor, learner_id: int, *, audit_read: bool = True,
                         due_between: tuple[datetime.datetime, datetime.datetime] | None = None) -> list[HomeworkItem]:
    """Homework set for the learner's groups (in force today), newest due first, with the learner's hand-in.

    ``due_between=(start, end)`` keeps only homework due at or after ``start`` and before ``end`` (filtered
    in the database), for pages that show a window rather than the whole year.

    The learner themself, their parents and carers (not barred), their teachers and the school's leaders.
    Raises ``NotFound`` for anyone else. Reads by anyone but the learner are audited (``audit_read=False``
    only for a caller whose page records the read itself, like the child page). Constant queries.
    """
    learner = get_for(actor, Learner, learner_id)
    groups = GroupMembership.objects.filter(in_force(on=actor.on), learner_id=learner.pk).values("group_id")
    rows = visible(actor, Assignment).filter(state=Assignment.State.SET, group_id__in=groups)
    if due_between is not None:
        rows = rows.filter(due_at__gte=due_between[0], due_at__lt=due_between[1])
    assignments = list(rows.select_related("group").order_by("-due_at", "pk"))
    submissions = {s.assignment_id: s for s in visible(actor, Submission).filter(
        learner_id=learner.pk, assignment_id__in=[a.pk for a in assignments])}
    now = timezone.now()
    items = []
    for assignment in assignments:
        sub = submissions.get(assignment.pk)
        handed = bool(sub and sub.handed_in)
        returned = assignment.returned
        items.append(HomeworkItem(
            assignment=assignment, group_name=assignment.group.name, subject=assignment.group.subject,
            due_at=assignment.due_at, expected_minutes=assignment.expected_minutes, handed_in=handed,
            handed_in_at=sub.handed_in_at if sub else None, on_paper=bool(sub and sub.on_paper),
            late=bool(sub and sub.late), overdue=not handed and assignment.due_at < now, returned=returned,
            mark=sub.mark if sub and returned else "", feedback=sub.feedback if sub and returned else "",
            mark_out_of=assignment.mark_out_of, submission_id=sub.pk if sub else None,
            has_feedback_file=bool(sub and returned and sub.feedback_file),
        ))
    if audit_read and actor.person_id != learner.pk and assignments:
        audit.record_learner_read(actor, learner, what="homework",
                                  institution_ids=set(learner_institutions(actor, learner.pk)))
    return items


def overdue_without_hand_in(on: datetime.date) -> Iterator[tuple[Assignment, Learner]]:
    """(assignment, learner) for homework set and due on ``on`` (local time) whose due time has passed,
    for each learner in the group that day who has not handed it in. For a system task: no authorisation
    here, so whoever is told (a parent) must be checked by the caller (guardian, not barred). Two queries."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(on, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=1)
    assignments = {a.pk: a for a in Assignment.objects.filter(
        state=Assignment.State.SET, returned_at__isnull=True, due_at__gte=start,
        due_at__lt=min(end, timezone.now())).select_related("group")}
    if not assignments:
        return
    by_group: dict[int, list[Assignment]] = {}
    for assignment in assignments.values():
        by_group.setdefault(assignment.group_id, []).append(assignment)
    handed = set(Submission.objects.filter(assignment_id__in=list(assignments), handed_in_at__isnull=False)
                 .values_list("assignment_id", "learner_id"))
    members = (GroupMembership.objects.filter(in_force(on=on), group_id__in=list(by_group))
               .select_related("learner__person").order_by("group_id", "learner_id"))
    for membership in members:
        for assignment in by_group[membership.group_id]:
            if (assignment.pk, membership.learner_id) not in handed:
                yield assignment, membership.learner


def missing_hand_ins(assignment: Assignment) -> list[int]:
    """Learners in the group on the due day who have not handed this homework in (ids). For a system task:
    no authorisation here. Two queries."""
    due_day = timezone.localtime(assignment.due_at).date()
    handed = Submission.objects.filter(assignment=assignment, handed_in_at__isnull=False).values("learner_id")
    return list(GroupMembership.objects.filter(in_force(on=due_day), group_id=assignment.group_id)
                .exclude(learner_id__in=handed).order_by("learner_id").values_list("learner_id", flat=True).distinct())


@dataclass
class AssignmentView:
    assignment: Assignment
    can_manage: bool
    can_hand_in: bool
    own: Submission | None  # the actor's own hand-in, if they are a learner of the group
    handed_in_count: int = 0
    learner_count: int = 0
    resources: list[Any] = field(default_factory=list)  # the attached resources the actor may open, in order

    @property
    def overdue(self) -> bool:
        return self.assignment.due_at < timezone.now()


def assignment_detail(actor: Actor, pk: int) -> AssignmentView:
    assignment = get_for(actor, Assignment, pk, queryset=Assignment.objects.select_related(
        "group", "grade_set", "aspect", "point"))
    manage = can(actor, "manage", assignment)
    hand = can(actor, "hand_in", assignment)
    own = Submission.objects.filter(assignment=assignment, learner_id=actor.person_id).first() if hand else None
    view = AssignmentView(assignment, manage, hand, own, resources=attached_resources(actor, [assignment.pk])[assignment.pk])
    if manage:
        roll = services.group_roll(actor, assignment.group_id)
        view.learner_count = len(roll)
        view.handed_in_count = Submission.objects.filter(assignment=assignment, learner_id__in=sorted(roll),
                                                         handed_in_at__isnull=False).count()
    return view


def attached_resources(actor: Actor, assignment_ids: list[int]) -> dict[int, list[Any]]:
    """Each assignment's attached resources that the actor may open (the resources app's ``view`` rule), in
    order: one query, whatever the number of assignments. The caller has already read the assignments through
    ``authz``."""
    from commonroom.resources.models import Resource

    by_assignment: dict[int, list[Any]] = {pk: [] for pk in assignment_ids}
    if by_assignment:
        links = (AssignmentResource.objects.filter(assignment_id__in=sorted(by_assignment),
                                                   resource__in=visible(actor, Resource).values("pk"))
                 .select_related("resource").order_by("assignment_id", "position", "pk"))
        for link in links:
            by_assignment[link.assignment_id].append(link.resource)
    return by_assignment


RESOURCE_CHOICES = 30


def resources_to_attach(actor: Actor, group: Group, assignment: Assignment | None, query: str = "",
                        posted: list[str] | None = None) -> list[Any]:
    """The resources the set/edit homework form offers: those attached (in order), any posted choice still in
    the bank (so a ticked resource from an earlier search stays ticked), then the actor's bank at the group's
    school matching the search words (the resources app's search, best rated first, at most 30). A resource
    of another school is copied into the teacher's bank first. Four queries at most."""
    from commonroom.resources.models import Resource
    from commonroom.resources.selectors import Search, resource_search

    chosen: list[Any] = attached_resources(actor, [assignment.pk])[assignment.pk] if assignment is not None else []
    seen = {r.pk for r in chosen}
    posted_ids = sorted({int(p) for p in posted or [] if p.isdigit() and len(p) < 12} - seen)
    if posted_ids:
        for resource in visible(actor, Resource, "copy").filter(pk__in=posted_ids, institution_id=group.institution_id) \
                .order_by("title", "pk"):
            chosen.append(resource)
            seen.add(resource.pk)
    found = resource_search(actor, Search(q=query, institution_id=group.institution_id), per_page=RESOURCE_CHOICES)
    for resource in found.object_list:
        if resource.pk not in seen:
            chosen.append(resource)
            seen.add(resource.pk)
    return chosen


@dataclass
class GridRow:
    learner_id: int
    name: str
    submission: Submission | None

    @property
    def status(self) -> str:
        from django.utils.translation import gettext as _

        sub = self.submission
        if sub is None or not sub.handed_in:
            return _("Not handed in")
        if sub.on_paper:
            return _("Handed in on paper")
        return _("Handed in late") if sub.late else _("Handed in")


@dataclass
class MarksGrid:
    assignment: Assignment
    rows: list[GridRow]
    mark_hint: str


def marks_grid(actor: Actor, pk: int) -> MarksGrid:
    """Every learner in the group (but any the actor is barred from) with their hand-in. Constant queries."""
    assignment = get_for(actor, Assignment, pk, "manage", queryset=Assignment.objects.select_related("group", "grade_set"))
    roll = services.group_roll(actor, assignment.group_id)
    subs = {s.learner_id: s for s in Submission.objects.filter(assignment=assignment, learner_id__in=sorted(roll))}
    hint = ""
    if assignment.mark_out_of is not None:
        hint = f"0–{assignment.mark_out_of}"
    elif assignment.grade_set_id:
        from commonroom.records.assessment_services import Scale

        hint = Scale.of(assignment.grade_set).hint  # type: ignore[arg-type]
    audit.record_learner_list_read(actor, list(roll), what="homework")
    return MarksGrid(assignment, [GridRow(pk_, name, subs.get(pk_)) for pk_, name in roll.items()], hint)


def submissions_for(actor: Actor, assignment_pk: int) -> tuple[Assignment, list[Submission]]:
    """The hand-ins of one piece of homework the actor may see (all of them for its teachers, one's own or one's
    child's for a learner or a parent)."""
    assignment = get_for(actor, Assignment, assignment_pk)
    rows = list(visible(actor, Submission).filter(assignment=assignment).order_by("learner_id"))
    audit.record_learner_list_read(actor, [row.learner_id for row in rows], what="homework")
    return assignment, rows


def my_assignments(actor: Actor, limit: int = 500) -> list[Assignment]:
    """Homework of the groups the actor learns in or staffs today that they may see, newest due first."""
    if actor.person_id is None:
        return []
    groups = Q(group_id__in=GroupMembership.objects.filter(in_force(on=actor.on), learner_id=actor.person_id)
               .values("group_id"))
    if actor.staff_groups:
        groups |= Q(group_id__in=sorted(actor.staff_groups))
    return list(visible(actor, Assignment).filter(groups).order_by("-due_at", "pk")[:limit])


def submission(actor: Actor, pk: int) -> Submission:
    """One hand-in the actor may see; reads by anyone but the learner are audited."""
    sub = get_for(actor, Submission, pk, queryset=Submission.objects.select_related("assignment"))
    if actor.person_id != sub.learner_id:
        audit.record_learner_list_read(actor, [sub.learner_id], what="homework")
    return sub


def submission_file(actor: Actor, pk: int) -> Submission:
    submission = get_for(actor, Submission, pk)
    if not submission.file:
        from commonroom.authz.api import NotFound

        raise NotFound()
    if actor.person_id != submission.learner_id:
        audit.record(actor, "read.homework_file", submission, learner_id=submission.learner_id,
                     institution_id=submission.institution_id)
    return submission


def feedback_file(actor: Actor, pk: int) -> Submission:
    """A hand-in's annotated feedback file: for those who mark it always, for the learner and family once the work
    is returned. Reads by anyone but the learner are audited."""
    submission = get_for(actor, Submission, pk, "view_feedback",
                         queryset=Submission.objects.select_related("assignment"))
    if not submission.feedback_file:
        from commonroom.authz.api import NotFound

        raise NotFound()
    if actor.person_id != submission.learner_id:
        audit.record(actor, "read.homework_feedback_file", submission, learner_id=submission.learner_id,
                     institution_id=submission.institution_id)
    return submission


@dataclass
class MarkOne:
    """One learner's work for marking one by one, with the learners before and after in the grid's order."""

    assignment: Assignment
    learner_id: int
    name: str
    submission: Submission | None
    previous: tuple[int, str] | None
    next: tuple[int, str] | None
    position: int
    total: int
    mark_hint: str


def mark_one(actor: Actor, pk: int, learner_id: int) -> MarkOne:
    """The learner's hand-in in a homework the actor manages; NotFound for a learner not in the group today (or one
    the actor is barred from). Constant queries."""
    assignment = get_for(actor, Assignment, pk, "manage", queryset=Assignment.objects.select_related("group", "grade_set"))
    roll = services.group_roll(actor, assignment.group_id)
    if learner_id not in roll:
        from commonroom.authz.api import NotFound

        raise NotFound()
    order = list(roll.items())
    index = [pk_ for pk_, _name in order].index(learner_id)
    submission = Submission.objects.filter(assignment=assignment, learner_id=learner_id).first()
    hint = ""
    if assignment.mark_out_of is not None:
        hint = f"0–{assignment.mark_out_of}"
    elif assignment.grade_set_id:
        from commonroom.records.assessment_services import Scale

        hint = Scale.of(assignment.grade_set).hint  # type: ignore[arg-type]
    audit.record_learner_list_read(actor, [learner_id], what="homework")
    return MarkOne(assignment, learner_id, roll[learner_id], submission, order[index - 1] if index > 0 else None,
                   order[index + 1] if index + 1 < len(order) else None, index + 1, len(order), hint)


def handed_in_counts(assignment_ids: list[int]) -> dict[int, int]:
    return dict(Submission.objects.filter(assignment_id__in=assignment_ids, handed_in_at__isnull=False)
                .values("assignment_id").annotate(n=Count("pk")).values_list("assignment_id", "n"))
