"""Reads for benchmarks, action plans and the local-authority view. Each starts from the authz filter, and
each runs a fixed number of queries whatever the number of institutions and reviews.

Across framework versions: an institution's level in an element is the mean level of that element's
aspects in its latest completed review against any version of the framework (same slug); elements are
matched by number (as the history does), so reviews against version 1 and version 2 compare element by
element. "At the threshold" is judged within each review against its own version's thresholds. Names of
elements come from the newest version of the framework.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet

from commonroom.authz.actor import Actor
from commonroom.authz.api import can, get_for, visible
from commonroom.common.dates import in_force, today
from commonroom.organisations.models import Institution, LocalAuthority
from commonroom.people.models import Enrolment
from commonroom.selfreview.models import AspectAnswer, Element, Framework, Review
from commonroom.selfreview.models_plans import Action, AuthorityTarget

# Size bands by learners on roll today (main and dual-main enrolments in force): the upper bound of each band.
SIZE_BANDS: tuple[tuple[int, str], ...] = (
    (100, "up to 100 learners"),
    (250, "101 to 250 learners"),
    (500, "251 to 500 learners"),
    (1000, "501 to 1,000 learners"),
    (1500, "1,001 to 1,500 learners"),
    (10**9, "more than 1,500 learners"),
)
DEFAULT_SLUG = "schools"


def size_band(on_roll: int) -> int:
    """The index of the band the number on roll falls in."""
    for index, (upper, _label) in enumerate(SIZE_BANDS):
        if on_roll <= upper:
            return index
    return len(SIZE_BANDS) - 1


def band_label(index: int) -> str:
    return SIZE_BANDS[index][1]


def min_group() -> int:
    return max(1, int(getattr(settings, "SELFREVIEW_BENCHMARK_MIN_GROUP", 5)))


def academic_year_of(day: datetime.date) -> int:
    """The calendar year an academic year (1 September to 31 August) starts in."""
    return day.year if day.month >= 9 else day.year - 1


def year_label(start: int) -> str:
    return f"{start}/{str(start + 1)[-2:]}"


# --- Shared building blocks ----------------------------------------------------------------------


@dataclass
class ElementFigure:
    mean: float | None
    total: int
    met: int

    @property
    def at_threshold(self) -> bool:
        return self.total > 0 and self.met == self.total


@dataclass
class ReviewFigures:
    review_id: int
    institution_id: int
    slug: str
    version: int
    completed_on: datetime.date
    elements: dict[int, ElementFigure] = field(default_factory=dict)

    def all_at_threshold(self, numbers: list[int]) -> bool:
        return bool(numbers) and all(self.elements.get(n) is not None and self.elements[n].at_threshold for n in numbers)


def completed_reviews(institution_ids: Any, slugs: list[str]) -> list[ReviewFigures]:
    """Every completed review of these institutions against any version of these frameworks, oldest first,
    with its figures per element number. Two queries."""
    rows = list(Review.objects.filter(institution_id__in=institution_ids, framework__slug__in=slugs,
                                      status=Review.Status.COMPLETED, completed_on__isnull=False)
                .order_by("completed_on", "pk")
                .values_list("pk", "institution_id", "framework__slug", "framework__version", "completed_on"))
    reviews = [ReviewFigures(review_id=pk, institution_id=inst, slug=slug, version=version, completed_on=done)
               for pk, inst, slug, version, done in rows if done is not None]
    if not reviews:
        return reviews
    by_pk = {r.review_id: r for r in reviews}
    figures = (AspectAnswer.objects.filter(review__in=Review.objects.filter(
        institution_id__in=institution_ids, framework__slug__in=slugs, status=Review.Status.COMPLETED,
        completed_on__isnull=False))
        .values("review_id", "element__number")
        .annotate(mean=Avg("level"), total=Count("pk"), met=Count("pk", filter=Q(level__lte=F("aspect__threshold")))))
    for row in figures:
        review = by_pk.get(row["review_id"])
        if review is not None:
            mean = round(float(row["mean"]), 2) if row["mean"] is not None else None
            review.elements[row["element__number"]] = ElementFigure(mean=mean, total=row["total"], met=row["met"])
    return reviews


def latest_by_institution(reviews: list[ReviewFigures], slug: str) -> dict[int, ReviewFigures]:
    latest: dict[int, ReviewFigures] = {}
    for review in reviews:  # oldest first: the last one wins
        if review.slug == slug:
            latest[review.institution_id] = review
    return latest


def framework_elements(slug: str) -> list[Element]:
    """The elements of the newest version of the framework (names and numbers). One query."""
    return list(Element.objects.filter(framework__in=Framework.objects.filter(slug=slug).order_by("-version")[:1])
                .order_by("number"))


def framework_slugs() -> list[tuple[str, str]]:
    """(slug, name of the newest version) for every framework. One query."""
    names: dict[str, str] = {}
    for slug, name in Framework.objects.order_by("slug", "-version").values_list("slug", "name"):
        names.setdefault(slug, name)
    return sorted(names.items(), key=lambda item: item[1])


def clean_slug(slug: str | None, choices: list[tuple[str, str]]) -> str:
    known = [s for s, _n in choices]
    if slug in known:
        return str(slug)
    return DEFAULT_SLUG if DEFAULT_SLUG in known or not known else known[0]


# --- Benchmarks ----------------------------------------------------------------------------------


@dataclass
class GroupFigures:
    size: int
    shown: bool
    median: float | None = None
    lower_quartile: float | None = None
    upper_quartile: float | None = None
    position: str = ""


@dataclass
class BenchmarkRow:
    number: int
    name: str
    own: float | None
    own_at_threshold: bool | None
    instance: GroupFigures
    authority: GroupFigures | None


@dataclass
class Benchmarks:
    institution: Institution
    slug: str
    frameworks: list[tuple[str, str]]
    on_roll: int
    band: str
    own_review: ReviewFigures | None
    instance_size: int
    authority_size: int | None
    min_group: int
    rows: list[BenchmarkRow]


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return round(q1, 2), round(q2, 2), round(q3, 2)


def _position(own: float | None, q1: float, median: float, q3: float) -> str:
    """Where the institution sits (level 1 is the highest: a lower mean is better)."""
    if own is None:
        return ""
    if own <= q1:
        return "in the best quarter"
    if own < median:
        return "better than the median"
    if own == median:
        return "at the median"
    if own < q3:
        return "below the median"
    return "in the lowest quarter"


def _group(values: list[float], own: float | None, minimum: int) -> GroupFigures:
    """The group's quartiles, shown only when at least ``minimum`` institutions *besides* this one are in it:
    with fewer, an institution that knows its own level and its neighbours could work out theirs."""
    others = len(values) - (1 if own is not None else 0)
    if others < minimum:
        return GroupFigures(size=len(values), shown=False)
    q1, median, q3 = _quartiles(sorted(values))
    return GroupFigures(size=len(values), shown=True, median=median, lower_quartile=q1, upper_quartile=q3,
                        position=_position(own, q1, median, q3))


def on_roll_counts(institutions: QuerySet[Institution]) -> dict[int, int]:
    """Learners on roll today (main or dual-main registration) per institution. One query."""
    counts = (Enrolment.objects.filter(in_force(), institution__in=institutions,
                                       kind__in=[Enrolment.Kind.MAIN, Enrolment.Kind.DUAL_MAIN])
              .values("institution_id").annotate(n=Count("learner_id", distinct=True)))
    return {row["institution_id"]: row["n"] for row in counts}


def benchmarks(actor: Actor, institution_pk: int, slug: str | None = None) -> Benchmarks:
    """The institution's level per element against institutions of the same phase and size band on the
    instance, and within its authority: median and quartiles of their levels, never their names. A group
    (which counts the institution itself) with fewer members than the minimum is not shown."""
    institution = get_for(actor, Institution, institution_pk, "view_self_review_benchmarks")
    choices = framework_slugs()
    slug = clean_slug(slug, choices)
    same_phase = Institution.objects.filter(phase=institution.phase)
    counts = on_roll_counts(same_phase)
    own_roll = counts.get(institution.pk, 0)
    band = size_band(own_roll)
    authority_of = dict(same_phase.values_list("pk", "local_authority_id"))
    peers = [pk for pk in authority_of if size_band(counts.get(pk, 0)) == band]
    latest = latest_by_institution(completed_reviews(peers, [slug]), slug)
    own = latest.get(institution.pk)
    minimum = min_group()
    local = [pk for pk in latest if institution.local_authority_id is not None
             and authority_of.get(pk) == institution.local_authority_id]
    rows = []
    for element in framework_elements(slug):
        n = element.number
        own_figure = own.elements.get(n) if own else None
        own_mean = own_figure.mean if own_figure else None
        everyone = [r.elements[n].mean for r in latest.values() if n in r.elements and r.elements[n].mean is not None]
        nearby = [latest[pk].elements[n].mean for pk in local
                  if n in latest[pk].elements and latest[pk].elements[n].mean is not None]
        rows.append(BenchmarkRow(
            number=n, name=element.name, own=own_mean, own_at_threshold=own_figure.at_threshold if own_figure else None,
            instance=_group([float(v) for v in everyone if v is not None], own_mean, minimum),
            authority=_group([float(v) for v in nearby if v is not None], own_mean, minimum)
            if institution.local_authority_id else None))
        instance, authority = rows[-1].instance, rows[-1].authority
        if instance.shown and authority is not None and authority.shown and 0 < instance.size - authority.size < minimum:
            # The two groups differ by a few institutions outside the authority: comparing them would single
            # those few out (secondary suppression), so the wider group is not shown.
            rows[-1].instance = GroupFigures(size=instance.size, shown=False)
    return Benchmarks(institution=institution, slug=slug, frameworks=choices, on_roll=own_roll, band=band_label(band),
                      own_review=own, instance_size=len(latest),
                      authority_size=len(local) if institution.local_authority_id else None, min_group=minimum, rows=rows)


# --- Action plans --------------------------------------------------------------------------------


@dataclass
class ActionRow:
    action: Action
    overdue: bool
    later_review: ReviewFigures | None = None
    later_level: int | None = None

    @property
    def outcome(self) -> str:
        """What the next completed review says about the aspect."""
        if self.later_review is None:
            return "no later review yet"
        if self.later_level is None:
            return "no level in the later review"
        if self.later_level <= self.action.target_level:
            return "reached the target"
        if self.action.level_when_added is not None and self.later_level < self.action.level_when_added:
            return "moved up"
        return "did not move"

    @property
    def moved(self) -> bool:
        return self.outcome in ("reached the target", "moved up")


@dataclass
class ActionPlan:
    institution: Institution
    rows: list[ActionRow]
    can_change: bool
    below_threshold: list[Any]  # answers of the latest review below the threshold
    latest_review: Review | None
    on: datetime.date

    @property
    def overdue(self) -> list[ActionRow]:
        return [row for row in self.rows if row.overdue]

    @property
    def total_cost(self) -> Decimal:
        return sum((row.action.cost or Decimal(0) for row in self.rows if row.action.status != Action.Status.DROPPED),
                   Decimal(0))


def actions_with_outcomes(actions: list[Action], institution_id: int, on: datetime.date) -> list[ActionRow]:
    """Each action with the next completed review of the same framework (any version) after the one it was
    raised from (completed on or after the day it was added), and the aspect's level there (matched by code).
    Two queries whatever the number of actions."""
    rows = [ActionRow(action=a, overdue=a.is_overdue(on)) for a in actions]
    if not rows:
        return rows
    slugs = sorted({a.review.framework.slug for a in actions})
    reviews = completed_reviews([institution_id], slugs)
    later: dict[int, ReviewFigures] = {}
    for row in rows:
        a = row.action
        start = a.review.completed_on or a.added_on
        start = max(start, a.added_on)
        for review in reviews:
            if review.slug == a.review.framework.slug and review.review_id != a.review_id and review.completed_on >= start:
                later[a.pk] = review
                break
    wanted = {r.review_id for r in later.values()}
    levels = {(rid, code): level for rid, code, level in AspectAnswer.objects.filter(
        institution_id=institution_id, review_id__in=wanted, aspect__code__in=sorted({a.aspect.code for a in actions}))
        .values_list("review_id", "aspect__code", "level")} if wanted else {}
    for row in rows:
        found = later.get(row.action.pk)
        if found is not None:
            row.later_review = found
            row.later_level = levels.get((found.review_id, row.action.aspect.code))
    return rows


def _actions(actor: Actor) -> QuerySet[Action]:
    return visible(actor, Action).select_related("aspect__element", "owner", "review__framework")


def action_plan(actor: Actor, institution_pk: int) -> ActionPlan:
    institution = get_for(actor, Institution, institution_pk, "view_action_plan")
    on = today()
    actions = list(_actions(actor).filter(institution=institution).order_by("due_on", "pk"))
    rows = actions_with_outcomes(actions, institution.pk, on)
    latest = (Review.objects.filter(institution=institution).select_related("framework")
              .order_by("-status", "-completed_on", "-started_on", "-pk").first())
    # -status puts "in_progress" before "completed": the working review is where plans start.
    below: list[Any] = []
    if latest is not None:
        below = list(AspectAnswer.objects.filter(institution=institution, review=latest, level__gt=F("aspect__threshold"))
                     .select_related("aspect", "element").order_by("element__number", "aspect__strand__position",
                                                                     "aspect__position"))
    return ActionPlan(institution=institution, rows=rows, can_change=can(actor, "plan_actions", institution),
                      below_threshold=below, latest_review=latest, on=on)


def action_for(actor: Actor, pk: int, action: str = "view") -> Action:
    found = get_for(actor, Action, pk, action, queryset=Action.objects.select_related(
        "aspect__element", "owner", "review__framework", "institution"))
    return found


# --- The local-authority view --------------------------------------------------------------------


@dataclass
class InstitutionRow:
    institution: Institution
    latest: ReviewFigures | None
    overdue: bool  # no completed review in the last year
    stage: str = ""
    at_threshold_count: int = 0

    def elements_at_threshold(self, numbers: list[int]) -> int:
        if self.latest is None:
            return 0
        return sum(1 for n in numbers if n in self.latest.elements and self.latest.elements[n].at_threshold)


@dataclass
class DistributionRow:
    number: int
    name: str
    counts: list[int]  # institutions at level 1..5 (mean level rounded)
    at_threshold: int
    reviewed: int


@dataclass
class YearRow:
    year: int
    label: str
    reviewed: int
    all_at_threshold: int
    by_element: dict[int, int]

    @property
    def share(self) -> float:
        return round(100 * self.all_at_threshold / self.reviewed, 1) if self.reviewed else 0.0


@dataclass
class TargetRow:
    target: AuthorityTarget
    eligible: int
    at_threshold: int
    on: datetime.date

    @property
    def share(self) -> float:
        return round(100 * self.at_threshold / self.eligible, 1) if self.eligible else 0.0

    @property
    def needed(self) -> int:
        """Institutions at the threshold the target needs (rounded up)."""
        return -(-self.target.share * self.eligible // 100)

    @property
    def status(self) -> str:
        if self.eligible and self.at_threshold >= self.needed:
            return "met"
        return "missed" if self.target.due_on < self.on else "not yet met"


@dataclass
class AuthorityView:
    authority: LocalAuthority
    slug: str
    frameworks: list[tuple[str, str]]
    elements: list[Element]
    institutions: list[InstitutionRow]
    distribution: list[DistributionRow]
    reached_this_year: list[InstitutionRow]
    years: list[YearRow]
    not_reviewed: list[InstitutionRow]
    targets: list[TargetRow]
    this_year: str
    can_set_targets: bool
    has_stages: bool = False

    @property
    def numbers(self) -> list[int]:
        return [e.number for e in self.elements]


def _level_bucket(mean: float) -> int:
    return min(5, max(1, int(mean + 0.5)))


def target_progress(target: AuthorityTarget, institutions: list[Institution], reviews: list[ReviewFigures],
                    on: datetime.date) -> TargetRow:
    eligible = [i for i in institutions if not target.phase or i.phase == target.phase]
    latest = latest_by_institution(reviews, target.framework_slug)
    numbers = sorted({n for r in latest.values() for n in r.elements})
    met = 0
    for inst in eligible:
        review = latest.get(inst.pk)
        if review is None:
            continue
        if target.element_number is None:
            met += review.all_at_threshold(numbers)
        else:
            figure = review.elements.get(target.element_number)
            met += bool(figure and figure.at_threshold)
    return TargetRow(target=target, eligible=len(eligible), at_threshold=met, on=on)


def _stages(institution_ids: list[int]) -> dict[int, str] | None:
    """Charter stages, where the Charter module is there (None otherwise)."""
    try:
        from commonroom.selfreview import charter
    except ImportError:  # pragma: no cover (the Charter module arrived with the platform evidence)
        return None
    stages = charter.current_stages(institution_ids)
    return {pk: charter.stage_label(stage) for pk, stage in stages.items()}


def authority_view(actor: Actor, authority_pk: int, slug: str | None = None) -> AuthorityView:
    authority = get_for(actor, LocalAuthority, authority_pk, "view_self_review_overview")
    choices = framework_slugs()
    slug = clean_slug(slug, choices)
    on = today()
    institutions = list(Institution.objects.filter(local_authority=authority).order_by("name"))
    ids = [i.pk for i in institutions]
    targets = list(visible(actor, AuthorityTarget).filter(local_authority=authority).order_by("due_on", "pk"))
    slugs = sorted({slug, *(t.framework_slug for t in targets)})
    reviews = completed_reviews(ids, slugs)
    elements = framework_elements(slug)
    numbers = [e.number for e in elements]
    latest = latest_by_institution(reviews, slug)
    year_ago = on - datetime.timedelta(days=365)
    stages = _stages(ids)
    rows = [InstitutionRow(institution=i, latest=latest.get(i.pk),
                           overdue=i.pk not in latest or latest[i.pk].completed_on < year_ago,
                           stage=(stages or {}).get(i.pk, "")) for i in institutions]
    for row in rows:
        row.at_threshold_count = row.elements_at_threshold(numbers)

    distribution = []
    for element in elements:
        counts = [0, 0, 0, 0, 0]
        met = reviewed = 0
        for review in latest.values():
            figure = review.elements.get(element.number)
            if figure is None or figure.mean is None:
                continue
            reviewed += 1
            counts[_level_bucket(figure.mean) - 1] += 1
            met += figure.at_threshold
        distribution.append(DistributionRow(number=element.number, name=element.name, counts=counts, at_threshold=met,
                                            reviewed=reviewed))

    this_year = academic_year_of(on)
    before: dict[int, ReviewFigures] = {}  # each institution's latest review before this academic year
    for review in reviews:
        if review.slug == slug and academic_year_of(review.completed_on) < this_year:
            earlier = before.get(review.institution_id)
            if earlier is None or review.completed_on > earlier.completed_on:
                before[review.institution_id] = review
    # Reached this year: at the threshold in every element now, and not already there before the year began.
    reached = [row for row in rows if row.latest is not None and academic_year_of(row.latest.completed_on) == this_year
               and row.latest.all_at_threshold(numbers)
               and not (row.institution.pk in before and before[row.institution.pk].all_at_threshold(numbers))]

    per_year: dict[int, dict[int, ReviewFigures]] = defaultdict(dict)
    for review in reviews:
        if review.slug == slug:
            per_year[academic_year_of(review.completed_on)][review.institution_id] = review  # the year's latest
    years = []
    for year in sorted(per_year):
        in_year = per_year[year].values()
        years.append(YearRow(year=year, label=year_label(year), reviewed=len(in_year),
                             all_at_threshold=sum(1 for r in in_year if r.all_at_threshold(numbers)),
                             by_element={n: sum(1 for r in in_year if n in r.elements and r.elements[n].at_threshold)
                                         for n in numbers}))

    return AuthorityView(
        authority=authority, slug=slug, frameworks=choices, elements=elements, institutions=rows,
        distribution=distribution, reached_this_year=reached, years=years,
        not_reviewed=[row for row in rows if row.overdue],
        targets=[target_progress(t, institutions, reviews, on) for t in targets], this_year=year_label(this_year),
        can_set_targets=can(actor, "set_self_review_targets", authority), has_stages=stages is not None)


def target_for(actor: Actor, pk: int) -> AuthorityTarget:
    return get_for(actor, AuthorityTarget, pk, "change", queryset=AuthorityTarget.objects.select_related("local_authority"))


# --- Charts --------------------------------------------------------------------------------------

BAR_WIDTH = 300
LEVEL_COLOURS = {1: "#0b0c0c", 2: "#1d70b8", 3: "#5694ca", 4: "#b1b4b6", 5: "#f3f2f1"}


def distribution_bars(rows: list[DistributionRow]) -> list[dict[str, Any]]:
    """Stacked horizontal bars (level 1 to 5, left to right) per element, for an inline SVG."""
    bars = []
    for index, row in enumerate(rows):
        x = 0.0
        parts = []
        for level, count in enumerate(row.counts, start=1):
            width = BAR_WIDTH * count / row.reviewed if row.reviewed else 0
            if count:
                parts.append({"level": level, "count": count, "colour": LEVEL_COLOURS[level], "x": round(x, 1), "width": round(width, 1)})
            x += width
        bars.append({"y": 10 + index * 28, "label": row.number, "name": row.name, "parts": parts})
    return bars


def year_bars(rows: list[YearRow]) -> list[dict[str, Any]]:
    """Vertical bars: the share of reviewed institutions at the threshold in every element, per year."""
    return [{"x": 40 + index * 56, "height": round(1.6 * row.share, 1), "y": round(170 - 1.6 * row.share, 1),
             "label": row.label, "share": row.share} for index, row in enumerate(rows)]
