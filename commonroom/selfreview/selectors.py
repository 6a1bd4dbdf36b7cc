"""Reads of the self-review app, each starting from the authz filter."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Prefetch, QuerySet

from commonroom.authz.actor import Actor
from commonroom.authz.api import can, get_for, visible
from commonroom.organisations.models import Institution
from commonroom.selfreview.models import (
    Aspect,
    AspectAnswer,
    Element,
    ElementAssignment,
    Framework,
    RecognitionRequest,
    Review,
    Strand,
)


def frameworks_list(actor: Actor) -> QuerySet[Framework]:
    return visible(actor, Framework).annotate(aspect_count=Count("elements__aspects")).order_by("slug", "-version")


def _structure() -> Prefetch:  # type: ignore[type-arg]
    return Prefetch("elements", queryset=Element.objects.order_by("number").prefetch_related(
        Prefetch("strands", queryset=Strand.objects.order_by("position").prefetch_related(
            Prefetch("aspects", queryset=Aspect.objects.order_by("position"))))))


def framework_detail(actor: Actor, pk: int) -> Framework:
    framework = get_for(actor, Framework, pk)
    return Framework.objects.prefetch_related(_structure()).get(pk=framework.pk)


def reviews_list(actor: Actor) -> QuerySet[Review]:
    return visible(actor, Review).select_related("institution", "framework").order_by("institution__name", "-started_on", "-pk")


def institutions_to_start(actor: Actor) -> QuerySet[Institution]:
    return visible(actor, Institution, "start_self_review").order_by("name")


def published_frameworks(actor: Actor) -> QuerySet[Framework]:
    return visible(actor, Framework).filter(status=Framework.Status.PUBLISHED).order_by("name", "-version")


# --- The summary ------------------------------------------------------------------------------


@dataclass
class AspectRow:
    aspect: Aspect
    answer: AspectAnswer | None
    editable: bool = False

    @property
    def level(self) -> int | None:
        return self.answer.level if self.answer else None

    @property
    def met(self) -> bool:
        return self.level is not None and self.level <= self.aspect.threshold


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


@dataclass
class Part:
    """A strand or an element: its aspects' answers against their thresholds."""

    rows: list[AspectRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.level is not None)

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row.met)

    @property
    def mean_level(self) -> float | None:
        return _mean([row.level for row in self.rows if row.level is not None])

    @property
    def mean_threshold(self) -> float | None:
        return _mean([row.aspect.threshold for row in self.rows])

    @property
    def at_threshold(self) -> bool:
        """Every aspect answered at its threshold level or better."""
        return bool(self.rows) and self.met == self.total


@dataclass
class StrandSummary(Part):
    strand: Strand = field(default=None)  # type: ignore[assignment]


@dataclass
class ElementSummary(Part):
    element: Element = field(default=None)  # type: ignore[assignment]
    strands: list[StrandSummary] = field(default_factory=list)
    assignee: Any = None


@dataclass
class ReviewView:
    review: Review
    elements: list[ElementSummary]
    can_manage: bool
    editable_answer_ids: set[int]

    @property
    def total(self) -> int:
        return sum(e.total for e in self.elements)

    @property
    def answered(self) -> int:
        return sum(e.answered for e in self.elements)

    @property
    def elements_at_threshold(self) -> int:
        return sum(1 for e in self.elements if e.at_threshold)


def summarise(framework: Framework, answers: dict[int, AspectAnswer], editable: set[int] | None = None,
              assignees: dict[int, Any] | None = None) -> list[ElementSummary]:
    """Pure arithmetic over a prefetched framework and its answers by aspect id."""
    editable = editable or set()
    elements = []
    for element in framework.elements.all():
        strands = []
        for strand in element.strands.all():
            rows = []
            for aspect in strand.aspects.all():
                answer = answers.get(aspect.pk)
                rows.append(AspectRow(aspect=aspect, answer=answer, editable=bool(answer and answer.pk in editable)))
            strands.append(StrandSummary(rows=rows, strand=strand))
        elements.append(ElementSummary(rows=[r for s in strands for r in s.rows], element=element, strands=strands,
                                       assignee=(assignees or {}).get(element.pk)))
    return elements


def review_view(actor: Actor, pk: int) -> ReviewView:
    """A review with its framework, answers, assignments and what the actor may change (fixed query count)."""
    review = get_for(actor, Review, pk)
    review = Review.objects.select_related("institution", "framework", "started_by", "completed_by").get(pk=review.pk)
    framework = Framework.objects.prefetch_related(_structure()).get(pk=review.framework_id)
    answers = {a.aspect_id: a for a in AspectAnswer.objects.filter(institution_id=review.institution_id, review=review)
               .select_related("updated_by")}
    editable = set(visible(actor, AspectAnswer, "change").filter(institution_id=review.institution_id, review=review)
                   .values_list("pk", flat=True))
    assignees = {a.element_id: a.person for a in ElementAssignment.objects.filter(
        institution_id=review.institution_id, review=review).select_related("person")}
    return ReviewView(review=review, elements=summarise(framework, answers, editable, assignees),
                      can_manage=can(actor, "edit", review), editable_answer_ids=editable)


def answer_for(actor: Actor, review_pk: int, aspect_pk: int) -> tuple[Review, AspectAnswer, bool]:
    """One aspect's answer in a review the actor may read, and whether they may change it."""
    review = get_for(actor, Review, review_pk)
    answer = (AspectAnswer.objects.filter(institution_id=review.institution_id, review=review, aspect_id=aspect_pk)
              .select_related("aspect__strand", "element", "updated_by", "review__framework", "review__institution").first())
    if answer is None:
        from commonroom.authz.api import NotFound

        raise NotFound()
    editable = visible(actor, AspectAnswer, "change").filter(pk=answer.pk).exists()
    return review, answer, editable


# --- History: the distance travelled ---------------------------------------------------------


@dataclass
class HistoryRow:
    review: Review
    by_element: dict[int, float | None]  # element number -> mean level


def review_history(actor: Actor, review: Review) -> list[HistoryRow]:
    """Completed reviews of the same institution against any version of the same framework, oldest first,
    with the mean level per element number (elements keep their numbers across versions)."""
    reviews = list(visible(actor, Review).filter(
        institution_id=review.institution_id, framework__slug=review.framework.slug,
        status=Review.Status.COMPLETED).select_related("framework").order_by("completed_on", "pk"))
    if review.pk not in {r.pk for r in reviews}:
        reviews.append(review)
    means: dict[int, dict[int, float | None]] = {r.pk: {} for r in reviews}
    for row in (AspectAnswer.objects.filter(institution_id=review.institution_id, review_id__in=[r.pk for r in reviews])
                .values("review_id", "element__number").annotate(mean=Avg("level"))):
        means[row["review_id"]][row["element__number"]] = round(row["mean"], 1) if row["mean"] is not None else None
    return [HistoryRow(review=r, by_element=means[r.pk]) for r in reviews]


# --- The radar chart ---------------------------------------------------------------------------

RADAR_SIZE = 360
RADAR_RADIUS = 130


def _point(index: int, count: int, level: float | None, radius: float = RADAR_RADIUS) -> tuple[float, float]:
    """Level 1 on the rim, level 5 near the centre (a level not given sits at the centre)."""
    share = 0.0 if level is None else (6 - level) / 5
    angle = -math.pi / 2 + 2 * math.pi * index / count
    centre = RADAR_SIZE / 2
    return round(centre + math.cos(angle) * radius * share, 1), round(centre + math.sin(angle) * radius * share, 1)


def _points(values: list[float | None]) -> str:
    return " ".join(f"{x},{y}" for x, y in (_point(i, len(values), v) for i, v in enumerate(values)))


def radar(elements: list[ElementSummary], earlier: dict[int, float | None] | None = None) -> dict[str, Any]:
    """Everything the template needs to draw the chart as inline SVG (no script, no style attribute)."""
    count = len(elements)
    if count < 3:
        return {}
    rings = [{"level": level, "points": _points([float(level)] * count)} for level in (5, 4, 3, 2, 1)]
    axes = []
    for index, summary in enumerate(elements):
        x, y = _point(index, count, 1)
        lx, ly = _point(index, count, 1, RADAR_RADIUS + 22)
        axes.append({"x": x, "y": y, "label_x": lx, "label_y": ly, "label": summary.element.number})
    return {
        "size": RADAR_SIZE, "centre": RADAR_SIZE / 2, "rings": rings, "axes": axes,
        "current": _points([e.mean_level for e in elements]),
        "threshold": _points([e.mean_threshold for e in elements]),
        "earlier": _points([earlier.get(e.element.number) for e in elements]) if earlier else "",
    }


# --- The Charter ---------------------------------------------------------------------------------
# The caller has already fetched the institution through ``get_for`` with the Charter action it needs.


def recognition_requests(institution: Institution) -> list[RecognitionRequest]:
    """Every request for recognition the institution has made, in the model's order, with who asked, who
    decided and the review it rests on (one query)."""
    return list(RecognitionRequest.objects.filter(institution=institution)
                .select_related("requested_by", "decided_by", "review"))


def pending_recognition(institution: Institution) -> RecognitionRequest | None:
    """The institution's request waiting for a decision, if any (one query)."""
    return (RecognitionRequest.objects.filter(institution=institution, status=RecognitionRequest.Status.PENDING)
            .select_related("institution", "review", "requested_by").first())

