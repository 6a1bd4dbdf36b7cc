"""Every write to assessment: grade sets, points, aspects, marksheets and targets.

Each function takes the acting user, checks with ``authz``, validates everything before it writes,
and writes in one transaction. A marksheet is saved in bulk: the same handful of queries for 3 cells
or 300, with one audit event per learner whose grades changed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require
from commonroom.common.dates import today
from commonroom.organisations.models import AcademicYear, Institution
from commonroom.people.models import Group, Learner
from commonroom.records.models import Aspect, AssessmentPoint, AssessmentResult, Grade, GradeSet

MAX_GRADES = 60


# Grades ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """A grade set's values, loaded once, for checking what a teacher typed."""

    grade_set_id: int
    name: str
    kind: str
    minimum: int | None
    maximum: int | None
    ranks: dict[str, tuple[str, int]]  # folded value -> (value as defined, rank)

    @classmethod
    def of(cls, grade_set: GradeSet, grades: Sequence[Grade] | None = None) -> Scale:
        rows = grades if grades is not None else list(grade_set.grades.all())
        return cls(grade_set.pk, grade_set.name, grade_set.kind, grade_set.minimum, grade_set.maximum,
                   {grade.value.casefold(): (grade.value, grade.rank) for grade in rows})

    def read(self, raw: str) -> tuple[str, int]:
        """The grade as stored and its rank, or ValueError saying what is allowed."""
        text = raw.strip()
        if self.kind == GradeSet.Kind.NUMBER:
            try:
                number = int(text)
            except ValueError:
                raise ValueError(_("“%(value)s” is not a whole number from %(min)s to %(max)s.")
                                 % {"value": text, "min": self.minimum, "max": self.maximum}) from None
            assert self.minimum is not None and self.maximum is not None
            if not self.minimum <= number <= self.maximum:
                raise ValueError(_("%(value)s is outside %(min)s to %(max)s.")
                                 % {"value": number, "min": self.minimum, "max": self.maximum})
            return str(number), number
        found = self.ranks.get(text.casefold())
        if found is None:
            allowed = ", ".join(value for value, _rank in sorted(self.ranks.values(), key=lambda item: -item[1]))
            raise ValueError(_("“%(value)s” is not in %(set)s: use one of %(allowed)s.")
                             % {"value": text, "set": self.name, "allowed": allowed})
        return found

    @property
    def hint(self) -> str:
        if self.kind == GradeSet.Kind.NUMBER:
            return f"{self.minimum}–{self.maximum}"
        return " ".join(value for value, _rank in sorted(self.ranks.values(), key=lambda item: -item[1]))


def scales_for(aspects: Sequence[Aspect]) -> dict[int, Scale]:
    """The scales of these aspects' grade sets, in two queries."""
    set_ids = {aspect.grade_set_id for aspect in aspects}
    sets = GradeSet.objects.in_bulk(set_ids)
    grades: dict[int, list[Grade]] = {pk: [] for pk in set_ids}
    for grade in Grade.objects.filter(grade_set_id__in=set_ids):
        grades[grade.grade_set_id].append(grade)
    return {pk: Scale.of(sets[pk], grades[pk]) for pk in set_ids}


def parse_grade_lines(text: str) -> list[tuple[str, str]]:
    """``value`` or ``value | meaning`` per line, best first."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        value, _bar, label = line.partition("|")
        rows.append((value.strip(), label.strip()))
    return rows


def grade_set_create(
    *, actor: Actor, institution: Institution, name: str, kind: str, grades: Sequence[tuple[str, str]] = (),
    minimum: int | None = None, maximum: int | None = None, description: str = "",
) -> GradeSet:
    """A new grade set. ``grades`` are (value, meaning), best first."""
    require(actor, "manage_assessment", institution)
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Give the grade set a name.")]
    elif GradeSet.objects.filter(institution=institution, name__iexact=name).exists():
        errors["name"] = [_("There is already a grade set called %(name)s.") % {"name": name}]
    if kind == GradeSet.Kind.NUMBER:
        if minimum is None or maximum is None or minimum > maximum:
            errors["maximum"] = [_("Give the lowest and highest numbers, lowest first.")]
        grades = ()
    elif kind == GradeSet.Kind.LIST:
        minimum = maximum = None
        seen: set[str] = set()
        for value, _label in grades:
            if not value or len(value) > 20:
                errors.setdefault("grades", []).append(_("Each grade needs a value of 1 to 20 characters."))
            elif value.casefold() in seen:
                errors.setdefault("grades", []).append(_("%(value)s is listed twice.") % {"value": value})
            seen.add(value.casefold())
        if not grades:
            errors.setdefault("grades", []).append(_("List the grades, one per line, best first."))
        if len(grades) > MAX_GRADES:
            errors.setdefault("grades", []).append(_("A grade set has at most %(n)s grades.") % {"n": MAX_GRADES})
    else:
        errors["kind"] = [_("Choose a list of grades or whole numbers.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grade_set = GradeSet.objects.create(institution=institution, name=name, kind=kind, minimum=minimum,
                                            maximum=maximum, description=description.strip())
        Grade.objects.bulk_create(
            Grade(institution=institution, grade_set=grade_set, value=value, label=label[:100], rank=len(grades) - index)
            for index, (value, label) in enumerate(grades)
        )
        audit.record(actor, "assessment.grade_set_created", grade_set, institution_id=institution.pk,
                     detail={"name": name, "grades": [value for value, _label in grades]})
    return grade_set


def point_create(
    *, actor: Actor, institution: Institution, academic_year_id: int, name: str, date: datetime.date,
) -> AssessmentPoint:
    require(actor, "manage_assessment", institution)
    year = AcademicYear.objects.filter(pk=academic_year_id, institution=institution).first()
    errors: dict[str, list[str]] = {}
    if year is None:
        errors["academic_year"] = [_("Choose one of the school's academic years.")]
    elif not (year.start_date <= date <= year.end_date):
        errors["date"] = [_("The date must be within %(year)s.") % {"year": year.name}]
    if not name.strip():
        errors["name"] = [_("Give the assessment point a name.")]
    elif any(ord(c) < 32 for c in name):
        errors["name"] = [_("The name cannot hold line breaks or control characters.")]
    elif year and AssessmentPoint.objects.filter(institution=institution, academic_year=year, name__iexact=name.strip()).exists():
        errors["name"] = [_("%(year)s already has a point called %(name)s.") % {"year": year.name, "name": name.strip()}]
    if errors or year is None:
        raise ValidationError(errors)
    with transaction.atomic():
        point = AssessmentPoint.objects.create(institution=institution, academic_year=year, name=name.strip(), date=date)
        audit.record(actor, "assessment.point_created", point, institution_id=institution.pk, detail={"name": point.name})
    return point


def point_update(*, actor: Actor, point: AssessmentPoint, name: str, date: datetime.date) -> AssessmentPoint:
    """Rename a point or move its date (within its academic year)."""
    require(actor, "manage_assessment", point.institution)
    errors: dict[str, list[str]] = {}
    name = name.strip()
    year = point.academic_year
    if not name:
        errors["name"] = [_("Give the assessment point a name.")]
    elif any(ord(c) < 32 for c in name):
        errors["name"] = [_("The name cannot hold line breaks or control characters.")]
    elif AssessmentPoint.objects.filter(institution_id=point.institution_id, academic_year=year,
                                        name__iexact=name).exclude(pk=point.pk).exists():
        errors["name"] = [_("%(year)s already has a point called %(name)s.") % {"year": year.name, "name": name}]
    if not (year.start_date <= date <= year.end_date):
        errors["date"] = [_("The date must be within %(year)s.") % {"year": year.name}]
    if errors:
        raise ValidationError(errors)
    before = {"name": point.name, "date": point.date.isoformat()}
    with transaction.atomic():
        point.name, point.date = name, date
        point.save(update_fields=["name", "date", "updated_at"])
        audit.record(actor, "assessment.point_changed", point, institution_id=point.institution_id,
                     detail={"before": before, "after": {"name": name, "date": date.isoformat()}})
    return point


def point_set_state(*, actor: Actor, point: AssessmentPoint, locked: bool | None = None,
                    published: bool | None = None) -> AssessmentPoint:
    """Lock a point (teachers can no longer change its grades) or publish it to learners and families."""
    require(actor, "manage_assessment", point.institution)
    changed = {}
    if locked is not None and locked != point.locked:
        changed["locked"] = point.locked = locked
    if published is not None and published != point.published:
        changed["published"] = point.published = published
    if changed:
        with transaction.atomic():
            point.save(update_fields=[*changed, "updated_at"])
            audit.record(actor, "assessment.point_changed", point, institution_id=point.institution_id, detail=changed)
    return point


def aspect_create(
    *, actor: Actor, institution: Institution, name: str, kind: str, grade_set_id: int, subject: str = "",
    visible_to_families: bool = False, position: int = 0,
) -> Aspect:
    require(actor, "manage_assessment", institution)
    errors: dict[str, list[str]] = {}
    grade_set = GradeSet.objects.filter(pk=grade_set_id, institution=institution).first()
    if grade_set is None:
        errors["grade_set"] = [_("Choose one of the school's grade sets.")]
    if kind not in Aspect.Kind.values:
        errors["kind"] = [_("Choose attainment, effort, target or predicted.")]
    name, subject = name.strip(), subject.strip()
    if not name:
        errors["name"] = [_("Give the aspect a name.")]
    elif Aspect.objects.filter(institution=institution, subject=subject, name__iexact=name).exists():
        errors["name"] = [_("There is already an aspect called %(name)s for %(subject)s.")
                          % {"name": name, "subject": subject or _("every subject")}]
    if errors or grade_set is None:
        raise ValidationError(errors)
    with transaction.atomic():
        aspect = Aspect.objects.create(institution=institution, name=name, kind=kind, grade_set=grade_set, subject=subject,
                                       visible_to_families=visible_to_families, position=position)
        audit.record(actor, "assessment.aspect_created", aspect, institution_id=institution.pk,
                     detail={"name": name, "subject": subject, "kind": kind})
    return aspect


def aspect_set_visibility(*, actor: Actor, aspect: Aspect, visible_to_families: bool) -> Aspect:
    """Show an aspect to learners and families (at published points), or keep it for staff."""
    require(actor, "manage_assessment", aspect.institution)
    if aspect.visible_to_families != visible_to_families:
        with transaction.atomic():
            aspect.visible_to_families = visible_to_families
            aspect.save(update_fields=["visible_to_families", "updated_at"])
            audit.record(actor, "assessment.aspect_changed", aspect, institution_id=aspect.institution_id,
                         detail={"visible_to_families": visible_to_families})
    return aspect


# Marksheets --------------------------------------------------------------------------------------


def aspects_for_subject(institution_id: int, subject: str) -> list[Aspect]:
    """The aspects a subject's marksheet has: those for every subject and those for this one."""
    return list(Aspect.objects.filter(Q(subject="") | Q(subject__iexact=subject), institution_id=institution_id)
                .order_by("position", "name", "pk"))


def members_for_marksheet(actor: Actor, group: Group) -> dict[int, str]:
    """Learner id -> name for the group's current members (a learner the actor is barred from is left out)."""
    from commonroom.records.selectors import register_roll

    return {row.learner_id: row.name for row in register_roll(actor, group, today())}


@dataclass(frozen=True)
class Cell:
    learner_id: int
    aspect_id: int
    value: str  # "" clears the grade
    seen_version: int = 0  # the version of the result the user saw; 0 if there was none


@dataclass
class MarksheetResult:
    created: int = 0
    changed: int = 0
    cleared: int = 0
    unchanged: int = 0


class MarksheetConflict(ValidationError):
    """Grades changed by someone else after the user opened the marksheet. Nothing was saved."""

    def __init__(self, cells: dict[str, str]) -> None:
        self.cells = cells
        super().__init__({key: [message] for key, message in cells.items()})


def cell_key(learner_id: int, aspect_id: int) -> str:
    return f"g_{learner_id}_{aspect_id}"


def marksheet_save(*, actor: Actor, group: Group, point: AssessmentPoint, cells: Sequence[Cell]) -> MarksheetResult:
    """Save a teaching group's grades at a point, all or nothing.

    Every cell is checked against its aspect's grade set first; a bad cell is named by its key and
    nothing is written. A cell whose grade someone else changed since the user saw it (its version
    moved on) and that now differs is a conflict.
    """
    require(actor, "enter_grades", group)
    if point.institution_id != group.institution_id or point.academic_year_id != group.academic_year_id:
        raise NotFound()
    if point.locked:
        raise ValidationError({"__all__": [_("%(point)s is locked: grades can no longer be changed.") % {"point": point.name}]})
    aspects = {aspect.pk: aspect for aspect in aspects_for_subject(group.institution_id, group.subject)}
    scales = scales_for(list(aspects.values()))
    members = members_for_marksheet(actor, group)
    errors: dict[str, list[str]] = {}
    wanted: dict[tuple[int, int], tuple[str, int, int]] = {}  # (learner, aspect) -> (value, rank, seen)
    for cell in cells:
        key = cell_key(cell.learner_id, cell.aspect_id)
        if cell.learner_id not in members or cell.aspect_id not in aspects:
            errors.setdefault(key, []).append(_("This learner or aspect is not on the marksheet."))
            continue
        if (cell.learner_id, cell.aspect_id) in wanted:
            errors.setdefault(key, []).append(_("This grade appears twice."))
            continue
        value, rank = "", 0
        if cell.value.strip():
            try:
                value, rank = scales[aspects[cell.aspect_id].grade_set_id].read(cell.value)
            except ValueError as problem:
                errors.setdefault(key, []).append(
                    f"{members[cell.learner_id]}, {aspects[cell.aspect_id].name}: {problem}")
                continue
        wanted[(cell.learner_id, cell.aspect_id)] = (value, rank, cell.seen_version)
    if errors:
        raise ValidationError(errors)
    result = MarksheetResult()
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = {
                (row.learner_id, row.aspect_id): row
                for row in AssessmentResult.objects.select_for_update().filter(
                    point=point, subject=group.subject, aspect_id__in=list(aspects),
                    learner_id__in=sorted({learner for learner, _aspect in wanted}),
                )
            }
            to_create: list[AssessmentResult] = []
            to_update: list[AssessmentResult] = []
            to_delete: list[int] = []
            touched: set[int] = set()
            conflicts: dict[str, str] = {}
            for (learner_id, aspect_id), (value, rank, seen) in wanted.items():
                row = existing.get((learner_id, aspect_id))
                current = row.value if row else ""
                if current == value:
                    result.unchanged += 1
                    continue
                if (row.version if row else 0) != seen:
                    conflicts[cell_key(learner_id, aspect_id)] = _(
                        "%(name)s, %(aspect)s: someone else changed this grade to “%(theirs)s” after you opened the "
                        "marksheet; you entered “%(yours)s”. Check and save again."
                    ) % {"name": members[learner_id], "aspect": aspects[aspect_id].name, "theirs": current or _("blank"),
                         "yours": value or _("blank")}
                    continue
                touched.add(learner_id)
                if row is None:
                    to_create.append(AssessmentResult(
                        institution_id=group.institution_id, learner_id=learner_id, point=point, aspect_id=aspect_id,
                        subject=group.subject, value=value, rank=rank, group=group, recorded_by_id=actor.person_id,
                        changed_by_id=actor.person_id,
                    ))
                elif not value:
                    to_delete.append(row.pk)
                else:
                    row.value, row.rank, row.version = value, rank, row.version + 1
                    row.changed_by_id, row.updated_at, row.group_id = actor.person_id, now, group.pk
                    to_update.append(row)
            if conflicts:
                raise MarksheetConflict(conflicts)
            AssessmentResult.objects.bulk_create(to_create)
            if to_update:
                AssessmentResult.objects.bulk_update(to_update, ["value", "rank", "version", "changed_by", "updated_at", "group"])
            if to_delete:
                AssessmentResult.objects.filter(pk__in=to_delete).delete()
            if touched:
                audit.record_for_learners(actor, "assessment.grades_saved", point, sorted(touched),
                                          institution_id=group.institution_id,
                                          detail={"group": group.pk, "subject": group.subject})
    except IntegrityError:
        raise ValidationError({"__all__": [_(
            "Someone saved grades on this marksheet at the same moment. Nothing of yours was saved: check and save again."
        )]}) from None
    result.created, result.changed, result.cleared = len(to_create), len(to_update), len(to_delete)
    return result


def current_point(institution_id: int) -> AssessmentPoint | None:
    """The point grades are being collected for now: the latest open point dated on or before today in
    this academic year, else the next one."""
    points = AssessmentPoint.objects.filter(institution_id=institution_id, locked=False,
                                            academic_year__start_date__lte=today(), academic_year__end_date__gte=today())
    return points.filter(date__lte=today()).order_by("-date").first() or points.order_by("date").first()


def target_set(*, actor: Actor, learner: Learner, group: Group, aspect_id: int, value: str) -> MarksheetResult:
    """Set one learner's target in a teaching group's subject, at the point open now."""
    require(actor, "enter_grades", group)
    aspect = Aspect.objects.filter(pk=aspect_id, institution_id=group.institution_id, kind=Aspect.Kind.TARGET).first()
    if aspect is None:
        raise ValidationError({"aspect": [_("Choose a target aspect.")]})
    point = current_point(group.institution_id)
    if point is None:
        raise ValidationError({"__all__": [_("There is no open assessment point this year: ask the data manager to add one.")]})
    seen = (AssessmentResult.objects.filter(point=point, aspect=aspect, subject=group.subject, learner=learner)
            .values_list("version", flat=True).first() or 0)
    try:
        return marksheet_save(actor=actor, group=group, point=point, cells=[Cell(learner.pk, aspect.pk, value, seen)])
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError({"value": [message for messages in error.message_dict.values() for message in messages]}) from None
        raise
