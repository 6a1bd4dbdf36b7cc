"""The self-review over the API: frameworks, reviews, aspect answers (with versions) and the result.

Scoped exactly as the pages: missing and forbidden both answer 404; a stale save answers 409 with the
newer answer; a bad level or link answers 422.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, MAX_ID, WRITE_ERRORS, ErrorOut, id_in_path, paginated
from commonroom.organisations.models import Institution
from commonroom.selfreview import selectors, services
from commonroom.selfreview.models import AspectAnswer, Framework, Review

router = Router(tags=["self-review"])


class SelfReviewAspectOut(Schema):
    id: int
    code: str
    title: str
    threshold: int
    descriptors: dict[str, str]


class SelfReviewStrandOut(Schema):
    code: str
    name: str
    aspects: list[SelfReviewAspectOut]


class SelfReviewElementOut(Schema):
    id: int
    number: int
    name: str
    strands: list[SelfReviewStrandOut]


class SelfReviewFrameworkOut(Schema):
    id: int
    slug: str
    version: int
    name: str
    audience: str
    status: str
    aspect_count: int = 0


class SelfReviewFrameworkDetailOut(SelfReviewFrameworkOut):
    description: str
    scale: dict[str, str]
    elements: list[SelfReviewElementOut]


class SelfReviewReviewOut(Schema):
    id: int
    institution_id: int
    framework_id: int
    framework_slug: str
    framework_version: int
    title: str
    status: str
    started_on: datetime.date
    completed_on: datetime.date | None


class SelfReviewAssignmentOut(Schema):
    element_number: int
    person_id: int
    person_name: str


class SelfReviewReviewDetailOut(SelfReviewReviewOut):
    aspects_total: int
    aspects_answered: int
    assignments: list[SelfReviewAssignmentOut]
    editable_aspect_ids: list[int]


class SelfReviewReviewIn(Schema):
    institution_id: int = Field(..., ge=1, le=MAX_ID)
    framework_id: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field("", max_length=200)


class SelfReviewEvidenceItem(Schema):
    kind: str
    url: str | None = None
    text: str | None = None


class SelfReviewAnswerOut(Schema):
    aspect_id: int
    code: str
    level: int | None
    notes: str
    evidence: list[SelfReviewEvidenceItem]
    version: int
    updated_by: str | None
    updated_at: datetime.datetime
    editable: bool


class SelfReviewAnswerIn(Schema):
    level: int | None = Field(None, ge=1, le=5)
    notes: str = Field("", max_length=5000)
    evidence: list[str] = Field(default_factory=list, max_length=30,
                                description="Each item a http(s) link or a note naming a record")
    version: int = Field(..., ge=0, description="The version you read: a save over a newer one answers 409")


class SelfReviewConflictOut(Schema):
    detail: str
    current: SelfReviewAnswerOut


class SelfReviewPartOut(Schema):
    total: int
    answered: int
    at_threshold_count: int
    mean_level: float | None
    mean_threshold: float | None
    at_threshold: bool


class SelfReviewStrandResultOut(SelfReviewPartOut):
    code: str
    name: str


class SelfReviewElementResultOut(SelfReviewPartOut):
    number: int
    name: str
    strands: list[SelfReviewStrandResultOut]


class SelfReviewHistoryOut(Schema):
    review_id: int
    title: str
    date: datetime.date
    framework_version: int
    mean_level_by_element: dict[str, float | None]


class SelfReviewResultOut(Schema):
    review_id: int
    elements_at_threshold: int
    elements: list[SelfReviewElementResultOut]
    history: list[SelfReviewHistoryOut]


def _framework(fw: Framework, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"id": fw.pk, "slug": fw.slug, "version": fw.version, "name": fw.name, "audience": fw.audience,
                            "status": fw.status, "aspect_count": getattr(fw, "aspect_count", 0)}
    if detail:
        elements: list[dict[str, Any]] = []
        for element in fw.elements.all():
            strands = [{"code": s.code, "name": s.name, "aspects": [
                {"id": a.pk, "code": a.code, "title": a.title, "threshold": a.threshold, "descriptors": a.descriptors}
                for a in s.aspects.all()]} for s in element.strands.all()]
            elements.append({"id": element.pk, "number": element.number, "name": element.name, "strands": strands})
        data |= {"description": fw.description, "scale": fw.scale, "elements": elements,
                 "aspect_count": sum(len(s["aspects"]) for e in elements for s in e["strands"])}
    return data


def _review(review: Review) -> dict[str, Any]:
    return {"id": review.pk, "institution_id": review.institution_id, "framework_id": review.framework_id,
            "framework_slug": review.framework.slug, "framework_version": review.framework.version, "title": review.title,
            "status": review.status, "started_on": review.started_on, "completed_on": review.completed_on}


def _answer(answer: AspectAnswer, editable: bool) -> dict[str, Any]:
    return {"aspect_id": answer.aspect_id, "code": answer.aspect.code, "level": answer.level, "notes": answer.notes,
            "evidence": answer.evidence, "version": answer.version,
            "updated_by": answer.updated_by.full_name if answer.updated_by else None, "updated_at": answer.updated_at,
            "editable": editable}


@router.get("/self-review/frameworks", response={200: list[SelfReviewFrameworkOut], 401: ErrorOut}, summary="Frameworks (every version)")
def frameworks_list(request: HttpRequest) -> Any:
    return [_framework(fw) for fw in selectors.frameworks_list(actor_for(request))]


@router.get("/self-review/frameworks/{framework_version_id}", response={200: SelfReviewFrameworkDetailOut, **DETAIL_ERRORS},
            summary="A framework version with its elements, strands and aspects")
def framework_get(request: HttpRequest, framework_version_id: int = id_in_path()) -> Any:
    return _framework(selectors.framework_detail(actor_for(request), framework_version_id), detail=True)


@router.get("/self-review/reviews", response={200: list[SelfReviewReviewOut], 401: ErrorOut}, summary="Reviews you can read")
@paginated
def reviews_list(request: HttpRequest) -> Any:
    return [_review(r) for r in selectors.reviews_list(actor_for(request))]


def _review_detail(actor: Any, pk: int) -> dict[str, Any]:
    data = selectors.review_view(actor, pk)
    return _review(data.review) | {
        "aspects_total": data.total, "aspects_answered": data.answered,
        "assignments": [{"element_number": e.element.number, "person_id": e.assignee.pk, "person_name": e.assignee.full_name}
                        for e in data.elements if e.assignee],
        "editable_aspect_ids": sorted(row.aspect.pk for e in data.elements for row in e.rows if row.editable),
    }


@router.post("/self-review/reviews", response={201: SelfReviewReviewDetailOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Start a review of your institution (head or senior leader)")
def review_create(request: HttpRequest, payload: SelfReviewReviewIn) -> Any:
    actor = actor_for(request)
    institution = get_for(actor, Institution, payload.institution_id, "start_self_review")
    framework = get_for(actor, Framework, payload.framework_id)
    review = services.review_start(actor=actor, institution=institution, framework=framework, title=payload.title)
    return Status(201, _review_detail(actor, review.pk))


@router.get("/self-review/reviews/{self_review_id}", response={200: SelfReviewReviewDetailOut, **DETAIL_ERRORS}, summary="A review")
def review_get(request: HttpRequest, self_review_id: int = id_in_path()) -> Any:
    return _review_detail(actor_for(request), self_review_id)


@router.get("/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}", response={200: SelfReviewAnswerOut, **DETAIL_ERRORS},
            summary="One aspect's answer, with its version")
def answer_get(request: HttpRequest, self_review_id: int = id_in_path(), framework_aspect_id: int = id_in_path()) -> Any:
    _review_obj, answer, editable = selectors.answer_for(actor_for(request), self_review_id, framework_aspect_id)
    return _answer(answer, editable)


@router.put("/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}",
            response={200: SelfReviewAnswerOut, 404: ErrorOut, 409: SelfReviewConflictOut, **WRITE_ERRORS},
            summary="Save one aspect's answer (send the version you read)")
def answer_put(request: HttpRequest, payload: SelfReviewAnswerIn, self_review_id: int = id_in_path(), framework_aspect_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    _review_obj, answer, editable = selectors.answer_for(actor, self_review_id, framework_aspect_id)
    if not editable:
        raise NotFound()
    try:
        saved = services.answer_save(actor=actor, answer=answer, level=payload.level, notes=payload.notes,
                                     evidence=payload.evidence, seen_version=payload.version)
    except services.StaleAnswer as stale:
        return Status(409, {"detail": "Someone saved this aspect since you read it. Nothing was saved.",
                            "current": _answer(stale.current, True)})
    return _answer(saved, True)


@router.get("/self-review/reviews/{self_review_id}/result", response={200: SelfReviewResultOut, **DETAIL_ERRORS},
            summary="The summary per element and strand against the threshold, and the history")
def result_get(request: HttpRequest, self_review_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    data = selectors.review_view(actor, self_review_id)

    def part(p: selectors.Part) -> dict[str, Any]:
        return {"total": p.total, "answered": p.answered, "at_threshold_count": p.met, "mean_level": p.mean_level,
                "mean_threshold": p.mean_threshold, "at_threshold": p.at_threshold}

    return {
        "review_id": data.review.pk, "elements_at_threshold": data.elements_at_threshold,
        "elements": [part(e) | {"number": e.element.number, "name": e.element.name,
                                "strands": [part(s) | {"code": s.strand.code, "name": s.strand.name} for s in e.strands]}
                     for e in data.elements],
        "history": [{"review_id": row.review.pk, "title": row.review.title,
                     "date": row.review.completed_on or row.review.started_on,
                     "framework_version": row.review.framework.version,
                     "mean_level_by_element": {str(k): v for k, v in sorted(row.by_element.items())}}
                    for row in selectors.review_history(actor, data.review)],
    }
