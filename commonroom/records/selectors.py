"""Reads of attendance. Every one starts from an ``authz`` rule; figures are database aggregates.

How the figures count (DOMAIN.md, the DfE's absence statistics): sessions possible are marks
in the present, approved-activity, authorised and unauthorised categories; attended are present
and approved activity; the absence rate is (authorised + unauthorised) / possible. A persistent
absentee misses 10% or more of their own possible sessions, a severe absentee 50% or more.
Everything is counted per enrolment.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import get_for, visible
from commonroom.common.dates import in_force, today
from commonroom.organisations.models import AcademicYear, Institution
from commonroom.people.models import Enrolment, Group, GroupMembership, Learner
from commonroom.records.codes import (
    CODES,
    NOT_YET_ESTABLISHED,
)
from commonroom.records.models import AttendanceMark, MarkChange, Register


def _counts() -> dict[str, Count]:
    """Sessions possible, attended, authorised and unauthorised, from the generated category number
    (1 present, 2 approved activity, 3 authorised, 4 unauthorised; 5 and 6 are not counted)."""
    # Counting the category itself (never null) lets PostgreSQL answer from the covering index alone.
    return {
        "possible": Count("category", filter=Q(category__lte=4)),
        "attended": Count("category", filter=Q(category__lte=2)),
        "authorised": Count("category", filter=Q(category=3)),
        "unauthorised": Count("category", filter=Q(category=4)),
    }


def _sum_by(rows: Any, key: str) -> dict[Any, dict[str, int]]:
    """Add up per-learner counts (already aggregated in the database) under ``key``."""
    totals: dict[Any, dict[str, int]] = {}
    for row in rows:
        bucket = totals.setdefault(row[key], {"possible": 0, "attended": 0, "authorised": 0, "unauthorised": 0})
        for name in bucket:
            bucket[name] += row[name]
    return totals


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    possible: int = 0
    attended: int = 0
    authorised: int = 0
    unauthorised: int = 0

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised

    @property
    def attendance_pct(self) -> Decimal | None:
        return _pct(self.attended, self.possible)

    @property
    def absence_pct(self) -> Decimal | None:
        return _pct(self.absent, self.possible)

    @property
    def authorised_pct(self) -> Decimal | None:
        return _pct(self.authorised, self.possible)

    @property
    def unauthorised_pct(self) -> Decimal | None:
        return _pct(self.unauthorised, self.possible)

    # Flags compare exact fractions, not rounded percentages: 10% or more of possible sessions.
    @property
    def persistent(self) -> bool:
        return self.possible > 0 and self.absent * 10 >= self.possible

    @property
    def severe(self) -> bool:
        return self.possible > 0 and self.absent * 2 >= self.possible

    @classmethod
    def of(cls, row: dict[str, Any]) -> Figures:
        """From a row of the ``_counts()`` aggregates."""
        return cls(row["possible"], row["attended"], row["authorised"], row["unauthorised"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "possible": self.possible, "attended": self.attended, "authorised": self.authorised,
            "unauthorised": self.unauthorised, "absent": self.absent,
            "attendance_pct": self.attendance_pct, "absence_pct": self.absence_pct,
            "persistent_absence": self.persistent, "severe_absence": self.severe,
        }


def figures_of(marks: QuerySet[AttendanceMark]) -> Figures:
    row = marks.order_by().aggregate(**_counts())
    return Figures.of(row)


def _in_range(marks: QuerySet[AttendanceMark], start: datetime.date, end: datetime.date) -> QuerySet[AttendanceMark]:
    return marks.filter(date__gte=start, date__lte=end)


def default_range(institution_id: int | None, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The academic year to date at the institution (from 1 September if it has no academic year)."""
    start = None
    if institution_id is not None:
        start = (
            AcademicYear.objects.filter(institution_id=institution_id, start_date__lte=on, end_date__gte=on)
            .values_list("start_date", flat=True).first()
        )
    if start is None:
        start = datetime.date(on.year if on.month >= 9 else on.year - 1, 9, 1)
    return start, on


# A learner ---------------------------------------------------------------------------------------


@dataclass
class EnrolmentFigures:
    institution: Institution
    enrolment: Enrolment
    figures: Figures
    weeks: list[dict[str, Any]] = field(default_factory=list)
    recent: list[AttendanceMark] = field(default_factory=list)


@dataclass
class LearnerAttendance:
    learner: Learner
    start: datetime.date
    end: datetime.date
    enrolments: list[EnrolmentFigures]
    can_amend_institutions: frozenset[int]


def learner_attendance(actor: Actor, learner_id: Any, start: datetime.date, end: datetime.date) -> LearnerAttendance:
    """A learner's figures per enrolment, week by week, and their latest marks. Audited as a read."""
    learner = get_for(actor, Learner, learner_id, queryset=Learner.objects.select_related("person"))
    marks = _in_range(visible(actor, AttendanceMark).filter(learner=learner), start, end)
    per_enrolment = {
        row["enrolment_id"]: row
        for row in marks.order_by().values("enrolment_id").annotate(**_counts())
    }
    weekly: dict[int, list[dict[str, Any]]] = {}
    for row in marks.order_by().annotate(week=TruncWeek("date")).values("enrolment_id", "week").annotate(**_counts()).order_by("week"):
        week = row["week"]
        week = week.date() if isinstance(week, datetime.datetime) else week
        figures = Figures.of(row)
        weekly.setdefault(row["enrolment_id"], []).append({"week": week, "figures": figures})
    recent: dict[int, list[AttendanceMark]] = {}
    for mark in marks.order_by("-date", "-session")[:40]:
        recent.setdefault(mark.enrolment_id, []).append(mark)
    enrolments = Enrolment.objects.filter(pk__in=list(per_enrolment)).select_related("institution").order_by("-start_date")
    result = [
        EnrolmentFigures(
            e.institution, e,
            Figures.of(per_enrolment[e.pk]),
            weekly.get(e.pk, []), recent.get(e.pk, []),
        )
        for e in enrolments
    ]
    audit.record_learner_read(
        actor, learner, what="attendance", institution_ids={e.institution_id for e in enrolments},
        authority_ids={e.institution.local_authority_id for e in enrolments if e.institution.local_authority_id},
    )
    amend_at = frozenset(visible(actor, Institution, "amend_attendance").filter(pk__in=[e.institution_id for e in enrolments]).values_list("pk", flat=True))
    return LearnerAttendance(learner, start, end, result, amend_at)


def attendance_by_academic_year(
    actor: Actor, *, institution_id: int, learner_ids: list[int]
) -> dict[int, dict[int, Figures]]:
    """Learner id -> the academic year's start (2025 for 2025/26) -> the figures from the marks recorded
    at this institution that the actor may read, in two queries whatever the number of learners.

    Years run from 1 September to 31 August (as the CTF counts them), whatever the school's own term
    dates. Used by the CTF export; leavers' marks are included (the register is the school's record).
    Each year is a ``COUNT(category) FILTER (WHERE date BETWEEN ...)`` over the same rows, so the
    database compares plain dates (SQLite would otherwise call Python to take a date apart).
    """
    if not learner_ids:
        return {}
    marks = visible(actor, AttendanceMark).filter(institution_id=institution_id, learner_id__in=learner_ids).order_by()
    span = marks.aggregate(first=Min("date"), last=Max("date"))
    if span["first"] is None:
        return {}
    first = span["first"].year if span["first"].month >= 9 else span["first"].year - 1
    last = span["last"].year if span["last"].month >= 9 else span["last"].year - 1
    counts: dict[str, Count] = {}
    for year in range(first, last + 1):
        in_year = Q(date__gte=datetime.date(year, 9, 1), date__lte=datetime.date(year + 1, 8, 31))
        for name, count in _counts().items():
            counts[f"{name}_{year}"] = Count("category", filter=count.filter & in_year)  # type: ignore[operator]
    result: dict[int, dict[int, Figures]] = {}
    for row in marks.values("learner_id").annotate(**counts):
        for year in range(first, last + 1):
            figures = Figures.of({name: row[f"{name}_{year}"] for name in ("possible", "attended", "authorised",
                                                                           "unauthorised")})
            if figures.possible or figures.authorised or figures.unauthorised:
                result.setdefault(row["learner_id"], {})[year] = figures
    return result


# Registers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollEntry:
    learner_id: int
    name: str
    enrolment_id: int
    prospective: bool = False  # enrolment starts later: only Z can be recorded


def register_roll(actor: Actor, group: Group, day: datetime.date) -> list[RollEntry]:
    """Learners on the group's register that day: members of the group enrolled at its institution
    (those whose enrolment starts later are listed as prospective), in name order. A learner the
    actor is barred from is never on their register."""
    from commonroom.people.policies import barred_learner_ids

    members = (
        GroupMembership.objects.filter(group=group, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .exclude(learner_id__in=sorted(barred_learner_ids(actor)))
        .values_list("learner_id", flat=True)
    )
    rows = (
        Enrolment.objects.filter(institution_id=group.institution_id, learner_id__in=members)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("learner__person__family_name", "learner__person__given_name", "learner_id", "start_date")
        .values_list("learner_id", "id", "start_date", "learner__person__given_name",
                     "learner__person__preferred_name", "learner__person__family_name")
    )
    roll: dict[int, RollEntry] = {}
    for learner_id, enrolment_id, start, given, preferred, family in rows:
        if learner_id in roll and not roll[learner_id].prospective:
            continue
        roll[learner_id] = RollEntry(learner_id, f"{preferred or given} {family}", enrolment_id, start > day)
    return list(roll.values())


@dataclass
class RegisterRow:
    roll: RollEntry
    mark: AttendanceMark | None


@dataclass
class RegisterSheet:
    group: Group
    day: datetime.date
    session: str
    rows: list[RegisterRow]
    register: Register | None
    unmarked: int


def register_sheet(actor: Actor, group_id: Any, day: datetime.date, session: str) -> RegisterSheet:
    """The statutory register for a registration group: everyone on roll that day, with their marks."""
    group = get_for(actor, Group, group_id, action="take_register",
                    queryset=Group.objects.select_related("institution", "academic_year"))
    roll = register_roll(actor, group, day)
    marks = {
        m.learner_id: m
        for m in visible(actor, AttendanceMark).filter(
            institution_id=group.institution_id, date=day, session=session,
            learner_id__in=[r.learner_id for r in roll],
        )
    }
    rows = [RegisterRow(r, marks.get(r.learner_id)) for r in roll]
    register = (
        Register.objects.filter(institution_id=group.institution_id, group=group, date=day, session=session)
        .select_related("taken_by", "last_saved_by").first()
    )
    audit.record_learner_list_read(actor, [r.learner_id for r in roll], what="register")
    return RegisterSheet(group, day, session, rows, register, sum(1 for row in rows if row.mark is None))


def my_registers(actor: Actor, day: datetime.date) -> list[dict[str, Any]]:
    """Registration groups whose register the actor takes as a form tutor, with today's state."""
    tutored = [g for g, roles in actor.staff_groups.items() if "tutor" in roles]
    if not tutored:
        return []
    groups = list(visible(actor, Group, "take_register").filter(pk__in=tutored, academic_year__end_date__gte=day))
    taken = set(
        Register.objects.filter(group__in=groups, date=day).values_list("group_id", "session")
    )
    return [{"group": g, "am": (g.pk, "AM") in taken, "pm": (g.pk, "PM") in taken} for g in groups]


def institution_registers(actor: Actor, institution: Institution, day: datetime.date) -> list[dict[str, Any]]:
    """Every registration group at the institution with whether its AM and PM registers are taken."""
    groups = list(
        visible(actor, Group, "take_register")
        .filter(institution=institution, academic_year__start_date__lte=day, academic_year__end_date__gte=day)
        .order_by("nc_year", "code")
    )
    taken = {
        (g, s): (by_given, by_preferred, by_family)
        for g, s, by_given, by_preferred, by_family in Register.objects.filter(
            institution=institution, date=day
        ).values_list("group_id", "session", "taken_by__given_name", "taken_by__preferred_name", "taken_by__family_name")
    }
    return [{"group": g, "am": (g.pk, "AM") in taken, "pm": (g.pk, "PM") in taken} for g in groups]


def mark_history(mark: AttendanceMark) -> list[MarkChange]:
    return list(mark.changes.select_related("changed_by").order_by("created_at", "id"))


# Groups and institutions -------------------------------------------------------------------------


def _while_a_member(group: Group) -> Exists:
    """Marks made on a day the learner was in the group."""
    return Exists(
        GroupMembership.objects.filter(group=group, learner_id=OuterRef("learner_id"), start_date__lte=OuterRef("date"))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("date")))
    )


@dataclass
class GroupAttendance:
    group: Group
    figures: Figures
    persistent: int
    severe: int
    start: datetime.date
    end: datetime.date


def group_figures(
    actor: Actor, group_id: Any, start: datetime.date | None = None, end: datetime.date | None = None
) -> GroupAttendance:
    """A group's figures over the days each learner was in it, and how many of its learners' enrolments
    are persistent or severe absentees over those days. The range defaults to the group's school's
    academic year to date."""
    group = get_for(actor, Group, group_id, action="view_attendance", queryset=Group.objects.select_related("institution"))
    default_start, default_end = default_range(group.institution_id, actor.on)
    start, end = start or default_start, end or default_end
    marks = _in_range(visible(actor, AttendanceMark).filter(institution_id=group.institution_id), start, end).filter(
        _while_a_member(group)
    )
    flags = _flags(marks)
    return GroupAttendance(group, figures_of(marks), flags["persistent"], flags["severe"], start, end)


@dataclass
class InstitutionAttendance:
    institution: Institution
    start: datetime.date
    end: datetime.date
    figures: Figures
    by_year: list[dict[str, Any]]
    persistent: int
    severe: int
    outstanding_n: int


def _per_enrolment(institution: Institution, start: datetime.date, end: datetime.date) -> QuerySet[Any, Any]:
    return (
        _in_range(AttendanceMark.objects.filter(institution=institution), start, end)
        .order_by()
        .values("enrolment_id")
        .annotate(**_counts())
        .annotate(absent=F("authorised") + F("unauthorised"))
        .filter(possible__gt=0)  # type: ignore[misc]  # an annotation the stubs cannot see
    )


def institution_attendance(actor: Actor, institution_id: Any, start: datetime.date, end: datetime.date) -> InstitutionAttendance:
    """Whole-institution figures, by year group, and the number of persistent and severe absentees."""
    institution = get_for(actor, Institution, institution_id, action="view_attendance")
    marks = _in_range(AttendanceMark.objects.filter(institution=institution), start, end)
    figures = figures_of(marks)
    flags = _flag_counts(institution, start, end)
    years = list(
        Group.objects.filter(institution=institution, kind=Group.Kind.YEAR, academic_year__start_date__lte=end,
                             academic_year__end_date__gte=start)
        .order_by("nc_year").values_list("pk", "name", "nc_year")
    )
    # Learners are counted in the year group they were in at the end of the range (their latest year
    # membership starting by then), as school reports do: one row per learner from the database, each
    # with its year group, summed per year group.
    year_of = Subquery(
        GroupMembership.objects.filter(learner_id=OuterRef("learner_id"), group_id__in=[pk for pk, _n, _y in years],
                                       start_date__lte=end)
        .order_by("-start_date", "-pk").values("group_id")[:1]
    )
    year_marks = _sum_by(marks.order_by().values("learner_id").annotate(**_counts()).annotate(year=year_of), "year")
    by_group = year_marks
    year_rows = []
    for pk, name, _nc in years:
        row = by_group.get(pk)
        if row:
            year_rows.append({"group_id": pk, "name": name, "figures": Figures.of(row)})
    outstanding = marks.filter(code=NOT_YET_ESTABLISHED).count()
    return InstitutionAttendance(institution, start, end, figures, year_rows, flags["persistent"], flags["severe"], outstanding)


def _flag_counts(institution: Institution, start: datetime.date, end: datetime.date) -> dict[str, int]:
    return _flags(_in_range(AttendanceMark.objects.filter(institution=institution), start, end))


def marks_readable_at(actor: Actor, institution: Institution) -> QuerySet[AttendanceMark]:
    """Every mark at an institution whose attendance the actor may read as a whole (checked by the caller
    with ``view_attendance``): the ``view`` rule for marks, narrowed to the school-wide routes so the
    database reads one index range instead of testing each route per row."""
    from commonroom.records.policies import school_wide_marks

    return AttendanceMark.objects.filter(school_wide_marks.q(actor), institution=institution)


def _flags(marks: QuerySet[AttendanceMark]) -> dict[str, int]:
    """How many enrolments among these marks miss 10% (persistent) and 50% (severe) or more of their
    possible sessions: one query, counting over the per-enrolment aggregates."""
    rows = (
        marks.order_by().values("enrolment_id").annotate(**_counts())
        .annotate(absent=F("authorised") + F("unauthorised")).filter(possible__gt=0)  # type: ignore[misc]
    )
    counts = rows.annotate(absent10=F("absent") * 10, absent2=F("absent") * 2).aggregate(
        persistent=Count("enrolment_id", filter=Q(absent10__gte=F("possible"))),
        severe=Count("enrolment_id", filter=Q(absent2__gte=F("possible"))),
    )
    return {"persistent": counts["persistent"], "severe": counts["severe"]}


@dataclass
class Absentee:
    learner: Learner
    figures: Figures
    year: str
    openable: bool = True


def persistent_absentees(
    actor: Actor, institution_id: Any, start: datetime.date, end: datetime.date, *, severe_only: bool = False,
    page_number: Any = 1, per_page: int = 50,
) -> tuple[Institution, Page]:
    """Enrolments whose absence is 10% or more (50% with ``severe_only``) of their possible sessions,
    worst first, from the marks the actor may read (leavers included: the register is the school's
    record). The page's learners are audited as read."""
    institution = get_for(actor, Institution, institution_id, action="view_attendance")
    factor = 2 if severe_only else 10
    rows = (
        _in_range(marks_readable_at(actor, institution), start, end)
        .order_by().values("enrolment_id", "learner_id").annotate(**_counts())
        .annotate(absent=F("authorised") + F("unauthorised"), flagged=(F("authorised") + F("unauthorised")) * factor)
        .filter(possible__gt=0, flagged__gte=F("possible"))  # type: ignore[misc]
        .order_by(-(F("absent") * 1000) / F("possible"), "learner_id")
    )
    page = Paginator(rows, per_page).get_page(page_number)
    learner_ids = [row["learner_id"] for row in page.object_list]
    learners = Learner.objects.select_related("person").in_bulk(learner_ids)
    openable = set(visible(actor, Learner).filter(pk__in=learner_ids).values_list("pk", flat=True))
    years = dict(
        GroupMembership.objects.filter(learner_id__in=learner_ids, group__kind=Group.Kind.YEAR, group__institution=institution,
                                       start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start)).order_by("start_date").values_list("learner_id", "group__name")
    )
    absentees: list[Absentee] = [
        Absentee(learners[row["learner_id"]], Figures.of(row),
                 years.get(row["learner_id"], ""), row["learner_id"] in openable)
        for row in page.object_list
    ]
    page.object_list = absentees  # type: ignore[assignment]
    audit.record_learner_list_read(actor, learner_ids, what="attendance_list")
    return institution, page


def mark_for(actor: Actor, mark_id: Any) -> tuple[AttendanceMark, list[MarkChange] | None]:
    """A mark the actor may read, and its history if they may see who changed it. Audited as a read."""
    from commonroom.authz.api import can

    mark = get_for(actor, AttendanceMark, mark_id, queryset=AttendanceMark.objects.select_related(
        "learner__person", "institution", "recorded_by", "changed_by"))
    history = mark_history(mark) if can(actor, "view_history", mark) else None
    audit.record_learner_read(actor, mark.learner, what="attendance_mark", institution_ids={mark.institution_id},
                              authority_ids={mark.institution.local_authority_id} if mark.institution.local_authority_id else set())
    return mark, history


def outstanding_marks(actor: Actor, institution: Institution, code: str = NOT_YET_ESTABLISHED, limit: int = 200) -> list[AttendanceMark]:
    """Marks still waiting for a final code (N), newest first, that the actor may amend."""
    marks = list(
        visible(actor, AttendanceMark, "amend").filter(institution=institution, code=code)
        .select_related("learner__person").order_by("-date", "session", "learner__person__family_name")[:limit]
    )
    audit.record_learner_list_read(actor, sorted({m.learner_id for m in marks}), what="attendance_outstanding")
    return marks


def code_label(code: str) -> str:
    return CODES[code].label if code in CODES else code



# Behaviour and rewards ---------------------------------------------------------------------------


@dataclass
class TimelineItem:
    when: datetime.date
    kind: str  # "incident" or "reward"
    category: str
    points: int
    role: str = ""
    severity: str = ""
    action_taken: str = ""
    note: str = ""
    incident_id: int | None = None  # set when the reader may open the whole incident


@dataclass
class LearnerBehaviour:
    learner: Learner
    start: datetime.date
    end: datetime.date
    items: list[TimelineItem]
    terms: list[dict[str, Any]]
    incident_points: int
    reward_points: int
    can_record: bool


def _settings(institution_id: int) -> tuple[int, int]:
    from commonroom.records.models import BehaviourSettings

    row = BehaviourSettings.objects.filter(institution_id=institution_id).values_list("alert_points", "alert_days").first()
    return row if row else (10, 14)


def learner_behaviour(actor: Actor, learner_id: Any, start: datetime.date, end: datetime.date) -> LearnerBehaviour:
    """A learner's incidents (their own part in each) and rewards, newest first, with totals by term. Audited."""
    from django.db.models import Sum

    from commonroom.authz.api import can
    from commonroom.organisations.models import Term
    from commonroom.records.models import Incident, IncidentLearner, Reward

    learner = get_for(actor, Learner, learner_id, queryset=Learner.objects.select_related("person"))
    involvement = list(
        visible(actor, IncidentLearner).filter(learner=learner, incident__occurred_at__date__gte=start,
                                               incident__occurred_at__date__lte=end)
        .select_related("incident__category").order_by("-incident__occurred_at")
    )
    openable = set(visible(actor, Incident).filter(pk__in=[row.incident_id for row in involvement]).values_list("pk", flat=True))
    rewards = list(
        visible(actor, Reward).filter(learner=learner, awarded_on__gte=start, awarded_on__lte=end)
        .select_related("category").order_by("-awarded_on", "-id")
    )
    items = [
        TimelineItem(timezone_date(row.incident.occurred_at), "incident", row.incident.category.name, row.points,
                     role=row.get_role_display(), severity=row.incident.get_severity_display(),
                     # Free text may name other children: only for those who may read the whole incident.
                     action_taken=row.incident.action_taken if row.incident_id in openable else "",
                     incident_id=row.incident_id if row.incident_id in openable else None)
        for row in involvement
    ] + [TimelineItem(r.awarded_on, "reward", r.category.name, r.points, note=r.note) for r in rewards]
    items.sort(key=lambda item: item.when, reverse=True)
    enrolled_at = list(Enrolment.objects.filter(learner=learner).values_list("institution_id", flat=True))
    terms = list(
        Term.objects.filter(institution_id__in=enrolled_at, start_date__lte=end, end_date__gte=start)
        .select_related("academic_year").order_by("start_date")
    )
    term_rows = []
    if terms:
        incident_sums = visible(actor, IncidentLearner).filter(learner=learner).aggregate(**{
            f"t{t.pk}": Sum("points", filter=Q(institution_id=t.institution_id, incident__occurred_at__date__gte=t.start_date,
                                               incident__occurred_at__date__lte=t.end_date)) for t in terms})
        reward_sums = visible(actor, Reward).filter(learner=learner).aggregate(**{
            f"t{t.pk}": Sum("points", filter=Q(institution_id=t.institution_id, awarded_on__gte=t.start_date,
                                               awarded_on__lte=t.end_date)) for t in terms})
        term_rows = [{"term": t, "incident_points": incident_sums[f"t{t.pk}"] or 0,
                      "reward_points": reward_sums[f"t{t.pk}"] or 0} for t in terms]
    institutions = Institution.objects.filter(pk__in=enrolled_at)
    audit.record_learner_read(actor, learner, what="behaviour", institution_ids=set(enrolled_at),
                              authority_ids={i.local_authority_id for i in institutions if i.local_authority_id})
    return LearnerBehaviour(
        learner, start, end, items, term_rows,
        sum(item.points for item in items if item.kind == "incident"),
        sum(item.points for item in items if item.kind == "reward"),
        can(actor, "record_behaviour", learner),
    )


def timezone_date(moment: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


@dataclass
class Alert:
    learner: Learner
    points: int
    incidents: int
    group: str = ""


def _alerts(institution_id: int, learner_ids: QuerySet[Any, Any] | None, on: datetime.date) -> list[Alert]:
    from django.db.models import Sum

    from commonroom.records.models import IncidentLearner

    threshold, days = _settings(institution_id)
    since = on - datetime.timedelta(days=days - 1)
    rows = (
        IncidentLearner.objects.filter(institution_id=institution_id, incident__occurred_at__date__gte=since,
                                       incident__occurred_at__date__lte=on)
        .order_by().values("learner_id")
        .annotate(total=Sum("points"), incidents=Count("incident_id", distinct=True))
        .filter(total__gte=threshold)
    )
    if learner_ids is not None:
        rows = rows.filter(learner_id__in=learner_ids)
    found = {row["learner_id"]: row for row in rows}
    learners = Learner.objects.select_related("person").in_bulk(list(found))
    alerts = [Alert(learners[pk], row["total"], row["incidents"]) for pk, row in found.items()]
    return sorted(alerts, key=lambda a: (-a.points, a.learner.person.family_name))


def my_behaviour_alerts(actor: Actor) -> list[dict[str, Any]]:
    """For a form tutor or head of year: learners in their groups whose recent incident points reach
    the school's threshold. Each alert is a read of the learner's record (audited)."""
    from commonroom.people.models import GroupStaff

    watching = [g for g, roles in actor.staff_groups.items()
                if roles & {GroupStaff.Role.TUTOR, GroupStaff.Role.HEAD_OF_YEAR}]
    if not watching:
        return []
    groups = list(Group.objects.filter(pk__in=watching).select_related("institution").order_by("nc_year", "code"))
    members: dict[int, set[int]] = {}
    for group_id, learner_id in GroupMembership.objects.filter(in_force(on=actor.on), group_id__in=watching).values_list(
            "group_id", "learner_id"):
        members.setdefault(group_id, set()).add(learner_id)
    out: list[dict[str, Any]] = []
    seen: list[int] = []
    for institution_id in sorted({g.institution_id for g in groups}):
        # One aggregate per school over every learner the actor watches there (and may see).
        watched = visible(actor, Learner).filter(pk__in=sorted({pk for g in groups if g.institution_id == institution_id
                                                                for pk in members.get(g.pk, set())})).values("pk")
        alerts = _alerts(institution_id, watched, actor.on)
        threshold, days = _settings(institution_id)
        for group in (g for g in groups if g.institution_id == institution_id):
            mine = [a for a in alerts if a.learner.pk in members.get(group.pk, set())]
            out.append({"group": group, "alerts": mine, "threshold": threshold, "days": days})
        seen += [a.learner.pk for a in alerts]
    audit.record_learner_list_read(actor, seen, what="behaviour_alerts")
    return out


@dataclass
class InstitutionBehaviour:
    institution: Institution
    start: datetime.date
    end: datetime.date
    by_category: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    by_week: list[dict[str, Any]]
    alerts: list[Alert]
    threshold: int
    days: int


def institution_behaviour(actor: Actor, institution_id: Any, start: datetime.date, end: datetime.date) -> InstitutionBehaviour:
    """The school's incidents and rewards by category, year group and week, and its current alerts."""
    from django.db.models import Sum
    from django.db.models.functions import TruncDate

    from commonroom.records.models import IncidentLearner, Reward

    institution = get_for(actor, Institution, institution_id, action="view_behaviour")
    involvement = IncidentLearner.objects.filter(
        institution=institution, incident__occurred_at__date__gte=start, incident__occurred_at__date__lte=end)
    rewards = Reward.objects.filter(institution=institution, awarded_on__gte=start, awarded_on__lte=end)
    by_category = [
        {"kind": "incident", "category": row["incident__category__name"], "count": row["count"], "points": row["points"] or 0}
        for row in involvement.order_by().values("incident__category__name")
        .annotate(count=Count("incident_id", distinct=True), points=Sum("points")).order_by("-count")
    ] + [
        {"kind": "reward", "category": row["category__name"], "count": row["count"], "points": row["points"] or 0}
        for row in rewards.order_by().values("category__name").annotate(count=Count("id"), points=Sum("points"))
        .order_by("-count")
    ]
    # Each learner counts in the year group they were in at the end of the range (as for attendance).
    year_ids = list(Group.objects.filter(institution=institution, kind=Group.Kind.YEAR,
                                         academic_year__start_date__lte=end, academic_year__end_date__gte=start)
                    .values_list("pk", flat=True))
    year_of = Subquery(
        GroupMembership.objects.filter(learner_id=OuterRef("learner_id"), group_id__in=year_ids, start_date__lte=end)
        .order_by("-start_date", "-pk").values("group__name")[:1]
    )
    nc_of = Subquery(
        GroupMembership.objects.filter(learner_id=OuterRef("learner_id"), group_id__in=year_ids, start_date__lte=end)
        .order_by("-start_date", "-pk").values("group__nc_year")[:1]
    )
    years: dict[str, dict[str, Any]] = {}

    def year_row(name: str, nc: int | None) -> dict[str, Any]:
        return years.setdefault(name, {"name": name, "nc": nc, "incidents": 0, "incident_points": 0, "rewards": 0,
                                       "reward_points": 0})

    for row in (involvement.order_by().annotate(year=year_of, nc=nc_of).values("year", "nc")
                .annotate(count=Count("incident_id", distinct=True), points=Sum("points"))):
        if row["year"]:
            bucket = year_row(row["year"], row["nc"])
            bucket["incidents"] += row["count"]
            bucket["incident_points"] += row["points"] or 0
    for row in (rewards.order_by().annotate(year=year_of, nc=nc_of).values("year", "nc")
                .annotate(count=Count("id"), points=Sum("points"))):
        if row["year"]:
            bucket = year_row(row["year"], row["nc"])
            bucket["rewards"] += row["count"]
            bucket["reward_points"] += row["points"] or 0
    weeks: dict[datetime.date, dict[str, Any]] = {}
    for row in (involvement.annotate(day=TruncDate("incident__occurred_at")).annotate(week=TruncWeek("day"))
                .order_by().values("week").annotate(count=Count("incident_id", distinct=True))):
        week = row["week"].date() if isinstance(row["week"], datetime.datetime) else row["week"]
        weeks.setdefault(week, {"week": week, "incidents": 0, "rewards": 0})["incidents"] = row["count"]
    for row in rewards.annotate(week=TruncWeek("awarded_on")).order_by().values("week").annotate(count=Count("id")):
        week = row["week"].date() if isinstance(row["week"], datetime.datetime) else row["week"]
        weeks.setdefault(week, {"week": week, "incidents": 0, "rewards": 0})["rewards"] = row["count"]
    visible_ids = visible(actor, Learner).values("pk")
    alerts = _alerts(institution.pk, visible_ids, actor.on)
    audit.record_learner_list_read(actor, [a.learner.pk for a in alerts], what="behaviour_alerts")
    threshold, days = _settings(institution.pk)
    return InstitutionBehaviour(
        institution, start, end, by_category, sorted(years.values(), key=lambda y: (y["nc"] is None, y["nc"] or 0)),
        [weeks[k] for k in sorted(weeks)], alerts, threshold, days,
    )


def incident_detail(actor: Actor, incident_id: Any) -> Any:
    """The whole incident, for those who may read it; each learner involved is recorded as read."""
    from commonroom.records.models import Incident

    incident = get_for(actor, Incident, incident_id, queryset=Incident.objects.select_related(
        "category", "institution", "recorded_by", "follow_up_owner"))
    involved = list(incident.learners.select_related("learner__person").order_by("learner__person__family_name"))
    audit.record_learner_list_read(actor, [row.learner_id for row in involved], what="incident")
    return incident, involved


def recordable_members(actor: Actor, group_id: Any) -> tuple[Group, list[Learner]]:
    """A group the actor may see and its learners today that they may record behaviour for.
    NotFound when there are none (a learner or an officer looking at a group, say)."""
    from commonroom.authz.api import NotFound

    group = get_for(actor, Group, group_id, queryset=Group.objects.select_related("institution"))
    learners = list(
        visible(actor, Learner, "record_behaviour")
        .filter(pk__in=GroupMembership.objects.filter(in_force(on=actor.on), group=group).values("learner_id"))
        .filter(pk__in=Enrolment.objects.filter(in_force(on=actor.on), institution_id=group.institution_id).values("learner_id"))
        .select_related("person").order_by("person__family_name", "person__given_name", "pk")
    )
    if not learners:
        raise NotFound()
    audit.record_learner_list_read(actor, [lr.pk for lr in learners], what="behaviour_form")
    return group, learners


def category_choices(institution_id: int, kind: str) -> list[tuple[int, str]]:
    from commonroom.records.models import BehaviourCategory

    return [
        (pk, f"{name} ({points} points)")
        for pk, name, points in BehaviourCategory.objects.filter(institution_id=institution_id, kind=kind, active=True)
        .order_by("name").values_list("pk", "name", "points")
    ]


def staff_choices(institution_id: int, on: datetime.date) -> list[tuple[int, str]]:
    """Adults who hold a role at the institution today (for a follow-up owner)."""
    from commonroom.authz.models import RoleAssignment

    rows = (
        RoleAssignment.objects.filter(in_force(on=on), institution_id=institution_id)
        .order_by("person__family_name", "person__given_name", "person_id")
        .values_list("person_id", "person__given_name", "person__preferred_name", "person__family_name")
    )
    seen: dict[int, str] = {}
    for pk, given, preferred, family in rows:
        seen.setdefault(pk, f"{preferred or given} {family}")
    return list(seen.items())


def behaviour_settings(institution_id: int) -> tuple[int, int]:
    return _settings(institution_id)


def categories_of(institution_id: int) -> list[Any]:
    from commonroom.records.models import BehaviourCategory

    return list(BehaviourCategory.objects.filter(institution_id=institution_id).order_by("kind", "name"))


def attendance_office_for(actor: Actor, learner: Learner) -> Institution:
    """The institution (lowest id first) where the actor keeps this learner's attendance, or NotFound."""
    from commonroom.authz.api import NotFound

    institution = visible(actor, Institution, "amend_attendance").filter(
        pk__in=Enrolment.objects.filter(learner=learner).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=actor.on)).values("institution_id")
    ).order_by("pk").first()
    if institution is None:
        raise NotFound()
    return institution


# The school's week and lessons -------------------------------------------------------------------

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _school_week(institution_id: int) -> Any:
    from commonroom.records.models import SchoolWeek

    return SchoolWeek.objects.filter(institution_id=institution_id).first() or SchoolWeek(institution_id=institution_id)


def cycle_week_on(institution_id: int, day: datetime.date) -> int:
    return _school_week(institution_id).cycle_week(day)


def slot_runs_on(slot: Any, day: datetime.date) -> bool:
    """The lesson takes place that day: its weekday, its cycle week, its academic year, a school day on
    which the school is not closed."""
    from commonroom.records.calendar import is_open

    return (day.weekday() == slot.weekday and cycle_week_on(slot.institution_id, day) == slot.cycle_week
            and slot.academic_year.start_date <= day <= slot.academic_year.end_date and is_open(slot.institution_id, day))


def lesson_roll(actor: Actor, slot: Any, day: datetime.date) -> list[RollEntry]:
    """Learners in the lesson's group that day, on roll, in name order (never one the actor is barred from)."""
    return [row for row in register_roll(actor, slot.group, day) if not row.prospective]


@dataclass
class LessonSheet:
    slot: Any
    day: datetime.date
    rows: list[tuple[RollEntry, Any]]
    taken: bool
    runs: bool


def lesson_sheet(actor: Actor, slot_id: Any, day: datetime.date) -> LessonSheet:
    from commonroom.records.models import LessonMark, TimetableSlot

    slot = get_for(actor, TimetableSlot, slot_id, action="take_register",
                   queryset=TimetableSlot.objects.select_related("group", "period", "room", "teacher", "institution",
                                                                 "academic_year"))
    roll = lesson_roll(actor, slot, day)
    marks = {m.learner_id: m for m in LessonMark.objects.filter(slot=slot, date=day, learner_id__in=[r.learner_id for r in roll])}
    audit.record_learner_list_read(actor, [r.learner_id for r in roll], what="lesson_register")
    return LessonSheet(slot, day, [(r, marks.get(r.learner_id)) for r in roll], bool(marks), slot_runs_on(slot, day))


def my_timetable(actor: Actor, day: datetime.date) -> dict[str, Any]:
    """The actor's lessons: today's, and the week's grid (periods down, weekdays across) for the cycle week."""
    from commonroom.records.models import Period, TimetableSlot

    slots = list(
        TimetableSlot.objects.filter(teacher_id=actor.person_id, academic_year__start_date__lte=day,
                                     academic_year__end_date__gte=day)
        .select_related("group", "period", "room", "institution").order_by("institution_id", "period__starts")
    )
    if not slots:
        return {"today": [], "weeks": []}
    institution_id = slots[0].institution_id
    week = cycle_week_on(institution_id, day)
    from commonroom.records.calendar import is_open

    today_slots = [s for s in slots if s.weekday == day.weekday() and s.cycle_week == week] if is_open(institution_id, day) else []
    periods = list(Period.objects.filter(institution_id=institution_id, kind=Period.Kind.LESSON).order_by("starts"))
    grid = []
    for cycle in sorted({s.cycle_week for s in slots}):
        rows = []
        for period in periods:
            cells = [next((s for s in slots if s.period_id == period.pk and s.weekday == d and s.cycle_week == cycle), None)
                     for d in range(5)]
            rows.append({"period": period, "cells": cells})
        grid.append({"cycle_week": cycle, "current": cycle == week, "rows": rows})
    return {"today": today_slots, "weeks": grid}


def institution_timetable(actor: Actor, institution_id: Any) -> dict[str, Any]:
    """The school's week for those who work there: periods, rooms, terms and every lesson, by group."""
    from commonroom.organisations.models import Term
    from commonroom.records.models import Period, Room, TimetableSlot

    institution = get_for(actor, Institution, institution_id, action="view_timetable")
    slots = list(
        TimetableSlot.objects.filter(institution=institution, academic_year__end_date__gte=today())
        .select_related("group", "period", "room", "teacher").order_by("group__nc_year", "group__code", "cycle_week", "weekday", "period__starts")
    )
    by_group: dict[int, dict[str, Any]] = {}
    for slot in slots:
        by_group.setdefault(slot.group_id, {"group": slot.group, "slots": []})["slots"].append(slot)
    return {
        "institution": institution,
        "week": _school_week(institution.pk),
        "periods": list(Period.objects.filter(institution=institution).order_by("starts")),
        "rooms": list(Room.objects.filter(institution=institution).order_by("name")),
        "terms": list(Term.objects.filter(institution=institution).select_related("academic_year").order_by("start_date")),
        "groups": list(by_group.values()),
    }


def timetable_choices(institution_id: int, on: datetime.date) -> dict[str, list[tuple[int, str]]]:
    from commonroom.records.models import Period, Room

    return {
        "groups": list(Group.objects.filter(institution_id=institution_id, kind=Group.Kind.TEACHING,
                                            academic_year__end_date__gte=on).order_by("nc_year", "code").values_list("pk", "name")),
        "periods": [(p.pk, str(p)) for p in Period.objects.filter(institution_id=institution_id, kind=Period.Kind.LESSON).order_by("starts")],
        "rooms": list(Room.objects.filter(institution_id=institution_id).order_by("name").values_list("pk", "name")),
        "teachers": staff_choices(institution_id, on),
    }


@dataclass
class MissingLearner:
    learner: Learner
    group: str
    period: str
    session_code: str


def missing_from_lessons(actor: Actor, institution: Institution, day: datetime.date, *, only_groups: list[int] | None = None) -> list[MissingLearner]:
    """Learners marked present (or at an approved activity) at the statutory register but absent from a
    lesson in the same session that day: the pastoral team follows them up at once."""
    from commonroom.records.models import LessonMark

    # Present (or at an approved activity) at that session's register, or at the morning register for
    # an afternoon lesson: a learner who was in that morning and then misses a lesson.
    present = AttendanceMark.objects.filter(
        Q(session=OuterRef("slot__period__session")) | Q(session="AM"),
        institution=institution, learner_id=OuterRef("learner_id"), date=day, category__lte=2,
    ).order_by("-session")
    rows = (
        visible(actor, LessonMark).filter(institution=institution, date=day, status=LessonMark.Status.ABSENT)
        .filter(Exists(present))
        .annotate(session_code=Subquery(present.values("code")[:1]))
        .select_related("learner__person", "slot__group", "slot__period").order_by("slot__period__starts", "learner__person__family_name")
    )
    if only_groups is not None:
        rows = rows.filter(learner_id__in=GroupMembership.objects.filter(in_force(on=day), group_id__in=only_groups).values("learner_id"))
    found = [MissingLearner(r.learner, r.slot.group.name, r.slot.period.name, r.session_code) for r in rows[:500]]
    audit.record_learner_list_read(actor, sorted({m.learner.pk for m in found}), what="missing_from_lesson")
    return found


def my_missing_from_lessons(actor: Actor, day: datetime.date) -> list[dict[str, Any]]:
    """For form tutors and heads of year: their groups' learners missing from lessons today."""
    from commonroom.people.models import GroupStaff

    watching = [g for g, roles in actor.staff_groups.items() if roles & {GroupStaff.Role.TUTOR, GroupStaff.Role.HEAD_OF_YEAR}]
    if not watching:
        return []
    out = []
    for institution in Institution.objects.filter(pk__in=Group.objects.filter(pk__in=watching).values("institution_id")):
        found = missing_from_lessons(actor, institution, day, only_groups=watching)
        out.append({"institution": institution, "missing": found})
    return out
