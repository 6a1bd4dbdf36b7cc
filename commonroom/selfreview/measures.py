"""Platform evidence: figures Commonroom already knows, offered on the aspects that name them.

A framework file names measures per aspect (``measures = ["parent_accounts", ...]``); the loader refuses
a name that is not in ``MEASURES``. Each measure is a function of one institution and a date (and the
actor, for the figures whose source is itself guarded) returning a ``Figure``: the value, the numerator
and denominator, the period it covers and a sentence a governor can read. Figures are aggregates: they
name nobody.

Attaching a figure to an answer stores a snapshot (``Figure.snapshot``) in the answer's evidence, with
the date it was computed: it never changes afterwards, even when the platform's figure does.

Online assessments count homework handed in online and quiz attempts handed in; other sources plug in
with ``register_assessment_source``.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound
from commonroom.authz.models import Role, RoleAssignment
from commonroom.organisations.models import Institution

DEFAULT_WEEKS = 6  # the period of the weekly measures: the last six weeks up to the date
# When an institution has no registration period for a session, its register is on time when first saved on
# its day by this fixed cut-off (local time); otherwise the register closes ``register_open_minutes`` after
# the registration period starts.
REGISTER_CUTOFF = {"AM": datetime.time(12, 0), "PM": datetime.time(16, 0)}


@dataclass(frozen=True)
class Figure:
    measure: str
    label: str
    value: float | None  # a percentage, or a count when ``unit`` is "count"
    numerator: int
    denominator: int | None
    period_start: datetime.date
    period_end: datetime.date
    sentence: str
    unit: str = "%"  # "%" or "count"
    available: bool = True  # False when the actor may not see the source, or it has nothing to count

    @property
    def display(self) -> str:
        if self.value is None:
            return _("no figure")
        if self.unit == "count":
            return f"{int(self.value):,}"
        return f"{self.value:g}%"

    def snapshot(self, *, computed_on: datetime.date, attached_by: str) -> dict[str, Any]:
        """What an answer's evidence keeps: everything needed to read it later, frozen."""
        return {"kind": "measure", "measure": self.measure, "label": self.label, "figure": self.display,
                "value": self.value, "numerator": self.numerator, "denominator": self.denominator,
                "period_start": self.period_start.isoformat(), "period_end": self.period_end.isoformat(),
                "text": self.sentence, "as_of": computed_on.isoformat(), "attached_by": attached_by}


def _pct(part: int, whole: int | None) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _window(on: datetime.date, weeks: int) -> tuple[datetime.date, datetime.date]:
    return on - datetime.timedelta(days=7 * weeks - 1), on


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return (datetime.datetime.combine(start, datetime.time.min, zone),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone))


# --- Parents ----------------------------------------------------------------------------------


def _uptake(actor: Actor, institution: Institution, on: datetime.date) -> Any:
    from commonroom.liaison.selectors import uptake_figures

    cache = getattr(actor, "_selfreview_uptake", None)  # set by ``compute`` for the length of one call
    key = (institution.pk, on)
    if cache is not None and key in cache:
        return cache[key]
    dated = dataclasses.replace(actor, on=on)
    try:
        figures = uptake_figures(dated, institution.pk)
    except NotFound:
        figures = None
    if cache is not None:
        cache[key] = figures
    return figures


def _not_yours(measure: str, label: str, on: datetime.date) -> Figure:
    return Figure(measure, label, None, 0, None, on, on, _(
        "Parent uptake is read by the head, senior leaders and office staff: ask one of them to attach this figure."),
        available=False)


def parent_accounts(actor: Actor, institution: Institution, on: datetime.date) -> Figure:
    label = str(MEASURE_LABELS["parent_accounts"])
    figures = _uptake(actor, institution, on)
    if figures is None:
        return _not_yours("parent_accounts", label, on)
    total = figures.total
    return Figure("parent_accounts", label, _pct(total.accounts, total.contacts), total.accounts, total.contacts,
                  on, on, _("%(n)s of %(d)s parents and carers of learners on roll on %(on)s have activated their "
                            "Commonroom account; %(active)s signed in during the last 30 days.")
                  % {"n": total.accounts, "d": total.contacts, "on": on.isoformat(), "active": total.active_30_days},
                  available=bool(total.contacts))


def parent_reports_read(actor: Actor, institution: Institution, on: datetime.date) -> Figure:
    label = str(MEASURE_LABELS["parent_reports_read"])
    figures = _uptake(actor, institution, on)
    if figures is None:
        return _not_yours("parent_reports_read", label, on)
    total = figures.total
    return Figure("parent_reports_read", label, _pct(total.reports_read, total.reports_issued), total.reports_read,
                  total.reports_issued, on, on,
                  _("%(n)s of the %(d)s reports published online for learners on roll on %(on)s have been read by at "
                    "least one of the learner's parents or carers.")
                  % {"n": total.reports_read, "d": total.reports_issued, "on": on.isoformat()},
                  available=bool(total.reports_issued))


# --- Teaching and learning --------------------------------------------------------------------


def _teaching_weeks(institution: Institution, start: datetime.date, end: datetime.date) -> dict[int, list[datetime.date]]:
    """The school days (weekdays in term) of each week of the window that has any, by the week's index
    from ``start`` (0, 1, ...). One query."""
    from commonroom.records.calendar import school_days, term_spans

    weeks: dict[int, list[datetime.date]] = {}
    for day in school_days(institution.pk, start, end, term_spans(institution.pk, start, end)):
        weeks.setdefault((day - start).days // 7, []).append(day)
    return weeks


def teachers_setting_work(actor: Actor, institution: Institution, on: datetime.date, weeks: int = DEFAULT_WEEKS) -> Figure:
    """Teacher-weeks in which the teacher set at least one piece of work online, over the teaching weeks of the
    last ``weeks`` weeks (those with at least one term day). A teacher counts for a teaching week when their
    teacher role at the institution was in force on one of its term days. Three queries, whatever the window."""
    from django.db.models import Q

    from commonroom.learning.models import Assignment

    label = str(MEASURE_LABELS["teachers_setting_work"])
    start, end = _window(on, weeks)
    teaching = _teaching_weeks(institution, start, end)
    roles = RoleAssignment.objects.filter(institution=institution, role=Role.TEACHER, start_date__lte=end) \
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start)).values_list("person_id", "start_date", "end_date")
    due: set[tuple[int, int]] = set()  # (teacher, week) pairs in the denominator
    for person_id, first, last in roles:
        for week, days in teaching.items():
            if any(first <= day and (last is None or day <= last) for day in days):
                due.add((person_id, week))
    teachers = {person_id for person_id, _week in due}
    active: set[tuple[int, int]] = set()
    if teachers:
        low, high = _bounds(start, end)
        zone = ZoneInfo(settings.TIME_ZONE)
        for person_id, set_at in Assignment.objects.filter(
                institution=institution, state=Assignment.State.SET, set_by_id__in=sorted(teachers),
                set_at__gte=low, set_at__lt=high).values_list("set_by_id", "set_at"):
            if set_at is not None:
                active.add((person_id, (set_at.astimezone(zone).date() - start).days // 7))
    active &= due
    whole = len(due)
    values = {"weeks": weeks, "teaching": len(teaching), "start": start.isoformat(), "end": end.isoformat(),
              "teachers": len(teachers), "n": len(active), "d": whole, "pct": f"{_pct(len(active), whole) or 0:g}%"}
    if not teaching:
        sentence = _("None of the %(weeks)s weeks from %(start)s to %(end)s had a term day: there were no teaching "
                     "weeks to count.") % values
    else:
        sentence = _("Of the %(weeks)s weeks from %(start)s to %(end)s, %(teaching)s were teaching weeks (with at least "
                     "one term day). Over those weeks the %(teachers)s teachers set work online in %(n)s of their "
                     "%(d)s teacher-weeks (each teacher counted only in the weeks their teacher role was in force): "
                     "on average %(pct)s of teachers each week.") % values
    return Figure("teachers_setting_work", label, _pct(len(active), whole), len(active), whole, start, end, sentence,
                  available=bool(whole))


AssessmentSource = Callable[[Institution, datetime.datetime, datetime.datetime], tuple[int, int, str]]
ASSESSMENT_SOURCES: list[tuple[str, AssessmentSource]] = []


def register_assessment_source(name: str, source: AssessmentSource) -> None:
    """Another app (the quizzes app, for attempts) adds a count of assessments taken online: ``source``
    returns (taken online, taken in all, a short description such as "quiz attempts") for the period."""
    if name not in {n for n, _s in ASSESSMENT_SOURCES}:
        ASSESSMENT_SOURCES.append((name, source))


def _homework_handins(institution: Institution, low: datetime.datetime, high: datetime.datetime) -> tuple[int, int, str]:
    from django.db.models import Count, Q

    from commonroom.learning.models import Submission

    counts = Submission.objects.filter(institution=institution, handed_in_at__gte=low, handed_in_at__lt=high).aggregate(
        online=Count("pk", filter=Q(on_paper=False)), total=Count("pk"))
    return counts["online"], counts["total"], str(_("homework handed in"))


def _quiz_attempts(institution: Institution, low: datetime.datetime, high: datetime.datetime) -> tuple[int, int, str]:
    """Quiz attempts handed in (practice or test): all of them are taken online."""
    from commonroom.quizzes.models import Attempt

    count = Attempt.objects.filter(institution=institution, submitted_at__gte=low, submitted_at__lt=high).count()
    return count, count, str(_("quiz attempts"))


register_assessment_source("homework", _homework_handins)
register_assessment_source("quizzes", _quiz_attempts)


def online_assessments(actor: Actor, institution: Institution, on: datetime.date, weeks: int = DEFAULT_WEEKS) -> Figure:
    label = str(MEASURE_LABELS["online_assessments"])
    start, end = _window(on, weeks)
    low, high = _bounds(start, end)
    online = total = 0
    parts = []
    for _name, source in ASSESSMENT_SOURCES:
        part_online, part_total, description = source(institution, low, high)
        online += part_online
        total += part_total
        parts.append(f"{part_online} {description}")
    return Figure("online_assessments", label, float(online), online, total, start, end,
                  _("From %(start)s to %(end)s, %(n)s pieces of assessed work were handed in or taken online "
                    "(%(parts)s), out of %(d)s recorded in all.")
                  % {"start": start.isoformat(), "end": end.isoformat(), "n": online, "d": total, "parts": "; ".join(parts)},
                  unit="count", available=bool(total))


# --- Registers --------------------------------------------------------------------------------


def _registers_due(institution: Institution, start: datetime.date, end: datetime.date) -> tuple[set[tuple[int, datetime.date, str]], int]:
    """The statutory registers due from ``start`` to ``end`` as (group, day, session), and the number of school
    days. One per session (AM, PM) of each school day (a weekday in term, ``records.calendar``) on which the
    school was not closed (#), for each registration group of an academic year covering the day (as the
    registers page lists them) with at least one member on roll at the institution that day. Five queries."""
    from django.db.models import Q

    from commonroom.people.models import Enrolment, Group, GroupMembership
    from commonroom.records.calendar import closed_sessions, school_days, term_spans
    from commonroom.records.codes import Session

    days = list(school_days(institution.pk, start, end, term_spans(institution.pk, start, end)))
    if not days:
        return set(), 0
    closed = closed_sessions(institution.pk, start, end)
    overlapping = Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))
    groups = {pk: (first, last) for pk, first, last in Group.objects.filter(
        institution=institution, kind=Group.Kind.REGISTRATION, academic_year__start_date__lte=end,
        academic_year__end_date__gte=start).values_list("pk", "academic_year__start_date", "academic_year__end_date")}
    enrolled: dict[int, list[tuple[datetime.date, datetime.date | None]]] = {}
    for learner_id, first, last in Enrolment.objects.filter(overlapping, institution=institution) \
            .values_list("learner_id", "start_date", "end_date"):
        enrolled.setdefault(learner_id, []).append((first, last))
    # For each group, the spans of days on which one of its members was on roll (membership and enrolment both in force).
    on_roll: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
    for group_id, learner_id, first, last in GroupMembership.objects.filter(
            overlapping, institution=institution, group_id__in=sorted(groups)) \
            .values_list("group_id", "learner_id", "start_date", "end_date"):
        for e_first, e_last in enrolled.get(learner_id, []):
            low, high = max(first, e_first, start), min(last or end, e_last or end, end)
            if low <= high:
                on_roll.setdefault(group_id, []).append((low, high))
    due: set[tuple[int, datetime.date, str]] = set()
    for group_id, spans in on_roll.items():
        year_first, year_last = groups[group_id]
        for day in days:
            if year_first <= day <= year_last and any(low <= day <= high for low, high in spans):
                due.update((group_id, day, str(session)) for session in Session.values if (day, session) not in closed)
    return due, len(days)


def _register_cutoffs(institution: Institution) -> tuple[dict[str, datetime.time], dict[str, datetime.time], int]:
    """When each session's register closes: the start of the institution's (earliest) registration period of
    the session plus the minutes its register stays open (``SchoolWeek.register_open_minutes``, at most 30).
    A session with no registration period keeps the fixed cut-off of ``REGISTER_CUTOFF``. Returns the
    cut-offs, the registration starts found, and the minutes. Two queries at most."""
    from commonroom.records.models import Period, SchoolWeek

    opens: dict[str, datetime.time] = {}
    for session, starts in Period.objects.filter(institution=institution, kind=Period.Kind.REGISTRATION) \
            .order_by("starts").values_list("session", "starts"):
        opens.setdefault(session, starts)
    stored = SchoolWeek.objects.filter(institution=institution).values_list("register_open_minutes", flat=True).first()
    minutes = 30 if stored is None else stored  # read whatever the periods, so the query count never varies
    cutoffs = dict(REGISTER_CUTOFF)
    for session, starts in opens.items():
        cutoffs[session] = (datetime.datetime.combine(datetime.date.min, starts)
                            + datetime.timedelta(minutes=minutes)).time()
    return cutoffs, opens, minutes


def _cutoff_rule(cutoffs: dict[str, datetime.time], opens: dict[str, datetime.time], minutes: int) -> str:
    """The sentence's account of when a register counts as on time."""
    if not opens:
        return _("The institution has no registration periods set, so the fixed cut-offs are used: morning "
                 "registers by 12:00 and afternoon registers by 16:00 on the day.")
    names = {"AM": _("morning"), "PM": _("afternoon")}
    parts = []
    for session in ("AM", "PM"):
        if session in opens:
            parts.append(_("%(session)s registers by %(closes)s (registration at %(opens)s plus the %(minutes)s "
                           "minutes a register stays open)") % {
                "session": names[session], "closes": cutoffs[session].strftime("%H:%M"),
                "opens": opens[session].strftime("%H:%M"), "minutes": minutes})
        else:
            parts.append(_("%(session)s registers by the fixed cut-off of %(closes)s (no %(session)s registration "
                           "period is set)") % {"session": names[session], "closes": cutoffs[session].strftime("%H:%M")})
    return _("On time means first saved on the day before the register closed: %(parts)s.") % {"parts": "; ".join(parts)}


def registers_on_time(actor: Actor, institution: Institution, on: datetime.date, weeks: int = DEFAULT_WEEKS) -> Figure:
    """Statutory registers due over the last ``weeks`` weeks up to the day before ``on`` (``_registers_due``)
    that were first saved on their own day before the register closed (``_register_cutoffs``). A register never taken counts as not on time.
    Eight queries at most, whatever the number of days and groups."""
    from commonroom.records.models import Register

    label = str(MEASURE_LABELS["registers_on_time"])
    start, end = _window(on - datetime.timedelta(days=1), weeks)  # whole days: today's may not have closed yet
    due, days = _registers_due(institution, start, end)
    cutoffs, opens, minutes = _register_cutoffs(institution)
    zone = ZoneInfo(settings.TIME_ZONE)
    taken = on_time = 0
    if due:
        for group_id, day, session, created in Register.objects.filter(
                institution=institution, date__gte=start, date__lte=end).values_list("group_id", "date", "session", "created_at"):
            if (group_id, day, session) not in due:
                continue  # not a statutory register that was due (a closed session, an empty group)
            taken += 1
            local = created.astimezone(zone)
            on_time += local.date() == day and local.time() <= cutoffs.get(session, REGISTER_CUTOFF["PM"])
    values = {"d": len(due), "days": days, "n": on_time, "late": taken - on_time, "missing": len(due) - taken,
              "start": start.isoformat(), "end": end.isoformat()}
    sentence = _("Of the %(d)s registers due from %(start)s to %(end)s (morning and afternoon of %(days)s school days, "
                 "one for each registration group with learners on roll, leaving out closures), %(n)s were taken on "
                 "time, %(late)s late and %(missing)s not at all.") % values
    return Figure("registers_on_time", label, _pct(on_time, len(due)), on_time, len(due), start, end,
                  f"{sentence} {_cutoff_rule(cutoffs, opens, minutes)}", available=bool(due))


# --- Acceptable use ---------------------------------------------------------------------------


def acceptable_use(actor: Actor, institution: Institution, on: datetime.date) -> Figure:
    """The share of the institution's staff (a staff role in force) and learners (on roll) on ``on`` who have
    accepted, by the end of that day, the version of their audience's acceptable-use policy in force that day
    (published by then and not yet replaced: ``commonroom.safeguarding``). An audience with no policy in force
    is left out and the sentence says so; with neither, the figure is not available. Three queries."""
    from django.db.models import Count, Exists, OuterRef, Q

    from commonroom.people.models import Person
    from commonroom.safeguarding.models import AcceptableUseAcceptance, AcceptableUsePolicy, Audience
    from commonroom.safeguarding.selectors import audience_members

    label = str(MEASURE_LABELS["acceptable_use"])
    _start, end = _bounds(on, on)
    in_force_then = {row.audience: row for row in AcceptableUsePolicy.objects.filter(
        Q(superseded_at__isnull=True) | Q(superseded_at__gte=end), institution=institution,
        audience__in=[Audience.STAFF, Audience.LEARNERS], published_at__lt=end).order_by("version")}
    numerator = denominator = 0
    parts: list[str] = []
    for audience, who in ((Audience.STAFF, _("staff with a role")), (Audience.LEARNERS, _("learners on roll"))):
        policy = in_force_then.get(audience)
        if policy is None:
            parts.append(_("no acceptable-use policy for %(who)s was in force") % {"who": who})
            continue
        accepted = Exists(AcceptableUseAcceptance.objects.filter(
            institution=institution, policy=policy, person_id=OuterRef("pk"), accepted_at__lt=end))
        counts = Person.objects.filter(pk__in=audience_members(institution.pk, audience, on)).aggregate(
            people=Count("pk"), accepted=Count("pk", filter=Q(accepted)))
        numerator += counts["accepted"]
        denominator += counts["people"]
        parts.append(_("%(n)s of %(d)s %(who)s had accepted version %(version)s of “%(title)s”")
                     % {"n": counts["accepted"], "d": counts["people"], "who": who, "version": policy.version,
                        "title": policy.title})
    if not in_force_then:
        return Figure("acceptable_use", label, None, 0, None, on, on,
                      _("No acceptable-use policy for staff or learners was in force at the institution on %(on)s, "
                        "so there is nothing to count: the institution's leaders publish one in Commonroom.")
                      % {"on": on.isoformat()}, available=False)
    return Figure("acceptable_use", label, _pct(numerator, denominator), numerator, denominator, on, on,
                  _("On %(on)s, %(parts)s.") % {"on": on.isoformat(), "parts": "; ".join(parts)},
                  available=bool(denominator))


# --- The registry -----------------------------------------------------------------------------

MeasureFunction = Callable[[Actor, Institution, datetime.date], Figure]

MEASURES: dict[str, MeasureFunction] = {
    "parent_accounts": parent_accounts,
    "parent_reports_read": parent_reports_read,
    "teachers_setting_work": teachers_setting_work,
    "online_assessments": online_assessments,
    "registers_on_time": registers_on_time,
    "acceptable_use": acceptable_use,
}

MEASURE_LABELS = {
    "parent_accounts": gettext_lazy("Parents and carers with an activated account"),
    "parent_reports_read": gettext_lazy("Reports published online and read by a parent"),
    "teachers_setting_work": gettext_lazy("Teachers setting work online each week"),
    "online_assessments": gettext_lazy("Assessed work handed in online"),
    "registers_on_time": gettext_lazy("Registers taken on time"),
    "acceptable_use": gettext_lazy("Staff and learners who have accepted the acceptable-use policy"),
}


def compute(actor: Actor, institution: Institution, names: list[str], on: datetime.date) -> list[Figure]:
    """The figures for ``names`` (unknown names are skipped), in the order given."""
    setattr(actor, "_selfreview_uptake", {})  # noqa: B010 - parent uptake is computed once for both parent figures
    try:
        return [MEASURES[name](actor, institution, on) for name in names if name in MEASURES]
    finally:
        delattr(actor, "_selfreview_uptake")


def compute_all(actor: Actor, institution: Institution, on: datetime.date) -> list[Figure]:
    return compute(actor, institution, list(MEASURES), on)
