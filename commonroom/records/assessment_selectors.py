"""Reads of assessment: marksheets, progress against target (learner, group, subject) and exports.

Every read starts from the authz layer: a marksheet from ``enter_grades`` (or ``view_progress`` to
read it), a learner's results from ``visible(actor, AssessmentResult)``, so families see only the
aspects shared with them, at published points.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, get_for, require, visible
from commonroom.common.dates import today
from commonroom.organisations.models import Institution
from commonroom.people.models import Group, Learner
from commonroom.people.policies import learner_institutions
from commonroom.records.assessment_services import Scale, aspects_for_subject, members_for_marksheet, scales_for
from commonroom.records.models import Aspect, AssessmentPoint, AssessmentResult

# Progress against target, in words and for sorting.
ABOVE, ON, BELOW, NO_TARGET, NO_GRADE, NOT_COMPARABLE = "above", "on", "below", "no_target", "no_grade", "not_comparable"
STATUS_LABELS = {
    ABOVE: _("Above target"), ON: _("On target"), BELOW: _("Below target"), NO_TARGET: _("No target"),
    NO_GRADE: _("No grade yet"), NOT_COMPARABLE: _("Different grade sets"),
}
STATUS_ORDER = (BELOW, ON, ABOVE, NO_TARGET, NO_GRADE, NOT_COMPARABLE)


def progress_status(attainment: AssessmentResult | None, target: AssessmentResult | None) -> str:
    if attainment is None:
        return NO_GRADE
    if target is None:
        return NO_TARGET
    if attainment.aspect.grade_set_id != target.aspect.grade_set_id:
        return NOT_COMPARABLE
    if attainment.rank > target.rank:
        return ABOVE
    return ON if attainment.rank == target.rank else BELOW


# Setting up ---------------------------------------------------------------------------------------


@dataclass
class Setup:
    institution: Institution
    grade_sets: list[Any]
    points: list[AssessmentPoint]
    aspects: list[Aspect]
    scales: dict[int, Scale]


def setup(actor: Actor, institution_pk: int) -> Setup:
    institution = get_for(actor, Institution, institution_pk, "manage_assessment")
    from commonroom.records.models import GradeSet

    grade_sets = list(GradeSet.objects.filter(institution=institution).prefetch_related("grades"))
    aspects = list(Aspect.objects.filter(institution=institution).select_related("grade_set").order_by("subject", "position", "name"))
    points = list(AssessmentPoint.objects.filter(institution=institution).select_related("academic_year").order_by("-date"))
    return Setup(institution, grade_sets, points, aspects, {gs.pk: Scale.of(gs, list(gs.grades.all())) for gs in grade_sets})


# Marksheets ---------------------------------------------------------------------------------------


@dataclass
class MarksheetRow:
    learner_id: int
    name: str
    cells: dict[int, AssessmentResult | None]


@dataclass
class Marksheet:
    group: Group
    point: AssessmentPoint
    aspects: list[Aspect]
    scales: dict[int, Scale]
    rows: list[MarksheetRow]
    editable: bool
    points: list[AssessmentPoint] = field(default_factory=list)

    @property
    def filled(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells.values() if cell is not None)

    @property
    def size(self) -> int:
        return len(self.rows) * len(self.aspects)


def marksheet(actor: Actor, group_pk: int, point_pk: int) -> Marksheet:
    """A teaching group's grid at a point: its current members x the aspects of its subject."""
    group = get_for(actor, Group, group_pk, "view_progress")
    if group.kind != Group.Kind.TEACHING:
        raise NotFound()
    point = AssessmentPoint.objects.filter(pk=point_pk, institution_id=group.institution_id,
                                           academic_year_id=group.academic_year_id).first()
    if point is None:
        raise NotFound()
    aspects = aspects_for_subject(group.institution_id, group.subject)
    members = members_for_marksheet(actor, group)
    results = {
        (row.learner_id, row.aspect_id): row
        for row in AssessmentResult.objects.filter(point=point, subject=group.subject, learner_id__in=list(members),
                                                   aspect_id__in=[a.pk for a in aspects])
    }
    rows = [MarksheetRow(pk, name, {a.pk: results.get((pk, a.pk)) for a in aspects}) for pk, name in members.items()]
    audit.record_learner_list_read(actor, list(members), what="grades")
    points = list(AssessmentPoint.objects.filter(institution_id=group.institution_id,
                                                 academic_year_id=group.academic_year_id).order_by("date"))
    return Marksheet(group, point, aspects, scales_for(aspects), rows,
                     editable=not point.locked and can(actor, "enter_grades", group), points=points)


@dataclass
class MarksheetLink:
    group: Group
    point: AssessmentPoint
    filled: int  # grades entered so far


def my_marksheets(actor: Actor) -> list[MarksheetLink]:
    """The marksheets this person fills: their teaching groups this year x the year's open points."""
    on = today()
    groups = list(
        visible(actor, Group, "enter_grades")
        .filter(academic_year__start_date__lte=on, academic_year__end_date__gte=on)
        .filter(pk__in=sorted(g for g, roles in actor.staff_groups.items() if "teacher" in roles))
        .select_related("institution").order_by("name")
    )
    if not groups:
        return []
    points = list(AssessmentPoint.objects.filter(academic_year_id__in={g.academic_year_id for g in groups}, locked=False)
                  .order_by("date"))
    filled = Counter(
        AssessmentResult.objects.filter(point__in=points, group__in=groups).values_list("group_id", "point_id")
    )
    return [MarksheetLink(g, p, filled[(g.pk, p.pk)]) for g in groups for p in points
            if p.academic_year_id == g.academic_year_id]


# Progress -----------------------------------------------------------------------------------------


@dataclass
class SubjectProgress:
    subject: str
    attainment: AssessmentResult | None
    target: AssessmentResult | None
    predicted: AssessmentResult | None
    effort: AssessmentResult | None
    status: str
    history: list[AssessmentResult]  # attainment at each point, oldest first

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _latest(rows: Iterable[AssessmentResult], kind: str) -> AssessmentResult | None:
    found = [row for row in rows if row.aspect.kind == kind]
    return max(found, key=lambda row: (row.point.date, row.point_id, row.aspect.position)) if found else None


def summarise(subject: str, rows: list[AssessmentResult]) -> SubjectProgress:
    attainment = _latest(rows, Aspect.Kind.ATTAINMENT)
    target = _latest(rows, Aspect.Kind.TARGET)
    history = sorted((row for row in rows if row.aspect.kind == Aspect.Kind.ATTAINMENT),
                     key=lambda row: (row.point.date, row.point_id))
    return SubjectProgress(subject, attainment, target, _latest(rows, Aspect.Kind.PREDICTED),
                           _latest(rows, Aspect.Kind.EFFORT), progress_status(attainment, target), history)


@dataclass
class LearnerProgress:
    learner: Learner
    subjects: list[SubjectProgress]
    results: list[AssessmentResult]  # every visible result, by point then subject
    target_groups: list[Group]  # teaching groups where this actor may set the learner's target


def learner_progress(actor: Actor, learner_pk: int) -> LearnerProgress:
    learner = get_for(actor, Learner, learner_pk)
    results = list(
        visible(actor, AssessmentResult).filter(learner=learner)
        .select_related("point", "aspect", "aspect__grade_set", "institution")
        .order_by("point__date", "point_id", "subject", "aspect__position")
    )
    by_subject: dict[str, list[AssessmentResult]] = defaultdict(list)
    for row in results:
        by_subject[row.subject].append(row)
    subjects = [summarise(subject, rows) for subject, rows in sorted(by_subject.items())]
    groups: list[Group] = []
    if actor.staff_groups or actor.role_rows:
        from commonroom.people.models import GroupMembership
        from commonroom.people.policies import not_ended

        member_of = GroupMembership.objects.filter(not_ended(today()), learner=learner).values("group_id")
        groups = list(visible(actor, Group, "enter_grades").filter(pk__in=member_of).order_by("name"))
    if actor.person_id != learner.pk:
        audit.record_learner_read(actor, learner, what="grades",
                                  institution_ids=set(learner_institutions(actor, learner.pk)))
    return LearnerProgress(learner, subjects, results, groups)


@dataclass
class GroupProgressRow:
    learner_id: int
    name: str
    progress: SubjectProgress


@dataclass
class GroupProgress:
    group: Group
    rows: list[GroupProgressRow]
    counts: dict[str, int]


def group_progress(actor: Actor, group_pk: int) -> GroupProgress:
    """Each current member's progress in the group's subject, and the counts by status."""
    group = get_for(actor, Group, group_pk, "view_progress")
    if group.kind != Group.Kind.TEACHING:
        raise NotFound()
    members = members_for_marksheet(actor, group)
    rows_by_learner: dict[int, list[AssessmentResult]] = defaultdict(list)
    for row in (visible(actor, AssessmentResult)
                .filter(institution_id=group.institution_id, subject=group.subject, learner_id__in=list(members))
                .select_related("point", "aspect")):
        rows_by_learner[row.learner_id].append(row)
    rows = [GroupProgressRow(pk, name, summarise(group.subject, rows_by_learner[pk])) for pk, name in members.items()]
    audit.record_learner_list_read(actor, list(members), what="grades")
    counts = Counter(row.progress.status for row in rows)
    return GroupProgress(group, rows, {status: counts.get(status, 0) for status in STATUS_ORDER})


@dataclass
class SubjectSummary:
    subject: str
    counts: dict[str, int]

    @property
    def graded(self) -> int:
        return sum(self.counts[s] for s in (ABOVE, ON, BELOW))

    def pct(self, status: str) -> int:
        return round(100 * self.counts[status] / self.graded) if self.graded else 0


def institution_progress(actor: Actor, institution_pk: int) -> tuple[Institution, list[SubjectSummary]]:
    """Per subject: how many learners are above, on and below target, from their latest grades.

    Counts only, so no learner is named: the query reads the results' ranks and kinds, not people.
    """
    institution = get_for(actor, Institution, institution_pk, "view_assessment")
    on = today()
    enrolled = Q(learner__enrolments__institution=institution, learner__enrolments__start_date__lte=on) & (
        Q(learner__enrolments__end_date__isnull=True) | Q(learner__enrolments__end_date__gte=on))
    rows = (
        AssessmentResult.objects.filter(enrolled, institution=institution,
                                        aspect__kind__in=[Aspect.Kind.ATTAINMENT, Aspect.Kind.TARGET])
        .values_list("learner_id", "subject", "aspect__kind", "aspect__grade_set_id", "rank", "point__date", "point_id")
        .distinct()
    )
    # (learner, subject, kind) -> ((point date, point id), grade set, rank) of the latest grade
    latest: dict[tuple[int, str, str], tuple[tuple[Any, int], int, int]] = {}
    for learner_id, subject, kind, grade_set_id, rank, date, point_id in rows.iterator(chunk_size=5000):
        key = (learner_id, subject, kind)
        if key not in latest or (date, point_id) > latest[key][0]:
            latest[key] = ((date, point_id), grade_set_id, rank)
    by_subject: dict[str, Counter[str]] = defaultdict(Counter)
    for (learner_id, subject, kind), (_when, grade_set_id, rank) in latest.items():
        if kind != Aspect.Kind.ATTAINMENT:
            continue
        target = latest.get((learner_id, subject, Aspect.Kind.TARGET))
        if target is None:
            status = NO_TARGET
        elif target[1] != grade_set_id:
            status = NOT_COMPARABLE
        else:
            status = ABOVE if rank > target[2] else ON if rank == target[2] else BELOW
        by_subject[subject][status] += 1
    return institution, [SubjectSummary(subject, {s: counts.get(s, 0) for s in STATUS_ORDER})
                         for subject, counts in sorted(by_subject.items())]


# Export -------------------------------------------------------------------------------------------

def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a name typed as ``=HYPERLINK(...)`` stays text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


EXPORT_HEADER = ("UPN", "Surname", "Forename", "Subject", "Group", "Aspect", "Grade", "Assessment point", "Date")


def export_rows(actor: Actor, point_pk: int) -> tuple[AssessmentPoint, Iterator[tuple[str, ...]]]:
    """Every result at a point, for the school's data managers and leaders (head, senior leaders, office), one row
    per grade. Each learner exported is recorded as read."""
    point = AssessmentPoint.objects.select_related("institution").filter(pk=point_pk).first()
    if point is None:
        raise NotFound()
    require(actor, "manage_assessment", point.institution)
    rows = (
        visible(actor, AssessmentResult).filter(point=point)
        .order_by("learner__person__family_name", "learner__person__given_name", "learner_id", "subject", "aspect__position")
        .values_list("learner__upn", "learner__person__family_name", "learner__person__given_name", "subject",
                     "group__code", "aspect__name", "value")
    )
    audit.record(actor, "export.grades", point, institution_id=point.institution_id, detail={"point": point.name})
    audit.record_learner_list_read(actor, list(rows.values_list("learner_id", flat=True).distinct()), what="grades")

    def generate() -> Iterator[tuple[str, ...]]:
        for upn, family, given, subject, group, aspect, value in rows.iterator(chunk_size=2000):
            yield tuple(spreadsheet_safe(text) for text in (upn or "", family, given, subject, group or "", aspect, value,
                                                             point.name, point.date.isoformat()))

    return point, generate()
