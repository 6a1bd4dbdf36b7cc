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
from commonroom.common.dates import in_force
from commonroom.organisations.models import Institution

DEFAULT_WEEKS = 6  # the period of the weekly measures: the last six weeks up to the date
# A register is on time when it is first saved on its day before the cut-off of its session (local time).
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


def _teachers(institution: Institution, on: datetime.date) -> set[int]:
    return set(RoleAssignment.objects.filter(in_force(on=on), institution=institution, role=Role.TEACHER)
               .values_list("person_id", flat=True))


def teachers_setting_work(actor: Actor, institution: Institution, on: datetime.date, weeks: int = DEFAULT_WEEKS) -> Figure:
    """Teacher-weeks in which the teacher set at least one piece of work online, over the last ``weeks`` weeks."""
    from commonroom.learning.models import Assignment

    label = str(MEASURE_LABELS["teachers_setting_work"])
    start, end = _window(on, weeks)
    teachers = _teachers(institution, on)
    low, high = _bounds(start, end)
    active: set[tuple[int, int]] = set()
    for person_id, set_at in Assignment.objects.filter(
            institution=institution, state=Assignment.State.SET, set_by_id__in=sorted(teachers),
            set_at__gte=low, set_at__lt=high).values_list("set_by_id", "set_at"):
        if set_at is None:
            continue
        local = set_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
        active.add((person_id, (local - start).days // 7))
    whole = len(teachers) * weeks
    return Figure("teachers_setting_work", label, _pct(len(active), whole), len(active), whole, start, end,
                  _("Over the %(weeks)s weeks from %(start)s to %(end)s, the %(teachers)s teachers set work online in "
                    "%(n)s of their %(d)s teacher-weeks: on average %(pct)s of teachers each week.")
                  % {"weeks": weeks, "start": start.isoformat(), "end": end.isoformat(), "teachers": len(teachers),
                     "n": len(active), "d": whole, "pct": f"{_pct(len(active), whole) or 0:g}%"},
                  available=bool(teachers))


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


def registers_on_time(actor: Actor, institution: Institution, on: datetime.date, weeks: int = DEFAULT_WEEKS) -> Figure:
    """Registers first saved on their own day before the session's cut-off (AM 12:00, PM 16:00)."""
    from commonroom.records.models import Register

    label = str(MEASURE_LABELS["registers_on_time"])
    start, end = _window(on, weeks)
    zone = ZoneInfo(settings.TIME_ZONE)
    taken = on_time = 0
    for day, session, created in Register.objects.filter(institution=institution, date__gte=start, date__lte=end) \
            .values_list("date", "session", "created_at"):
        taken += 1
        local = created.astimezone(zone)
        on_time += local.date() == day and local.time() <= REGISTER_CUTOFF.get(session, datetime.time(16, 0))
    return Figure("registers_on_time", label, _pct(on_time, taken), on_time, taken, start, end,
                  _("Of the %(d)s registers taken from %(start)s to %(end)s, %(n)s were taken within their session "
                    "(morning registers by 12:00, afternoon registers by 16:00 on the day).")
                  % {"d": taken, "n": on_time, "start": start.isoformat(), "end": end.isoformat()},
                  available=bool(taken))


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
