"""Platform evidence and the Charter over the API, scoped exactly as the pages (missing and forbidden: 404;
a refused step: 422 with the reason)."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonroom.authz.actor import Actor, actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, WRITE_ERRORS, ErrorOut, id_in_path
from commonroom.organisations.models import Institution
from commonroom.selfreview import charter, charter_services, evidence, selectors
from commonroom.selfreview.models import CharterRecord, RecognitionRequest

router = Router(tags=["self-review"])


class SelfReviewFigureOut(Schema):
    measure: str
    label: str
    figure: str
    value: float | None
    numerator: int
    denominator: int | None
    period_start: datetime.date
    period_end: datetime.date
    sentence: str
    available: bool


class SelfReviewSnapshotOut(Schema):
    measure: str
    label: str
    figure: str
    value: float | None
    numerator: int
    denominator: int | None
    period_start: str
    period_end: str
    text: str
    as_of: str
    attached_by: str


class SelfReviewEvidenceOut(Schema):
    aspect_id: int
    code: str
    offered: list[SelfReviewFigureOut]
    attached: list[SelfReviewSnapshotOut]
    editable: bool


class SelfReviewAttachIn(Schema):
    measure: str = Field(..., min_length=1, max_length=60, description="A measure the aspect names")


def _figure(f: Any) -> dict[str, Any]:
    return {"measure": f.measure, "label": f.label, "figure": f.display, "value": f.value, "numerator": f.numerator,
            "denominator": f.denominator, "period_start": f.period_start, "period_end": f.period_end,
            "sentence": f.sentence, "available": f.available}


def _evidence(actor: Any, answer: Any, editable: bool) -> dict[str, Any]:
    return {"aspect_id": answer.aspect_id, "code": answer.aspect.code, "editable": editable,
            "offered": [_figure(o.figure) for o in evidence.offered(actor, answer)] if editable else [],
            "attached": evidence.snapshots(answer)}


@router.get("/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}/evidence",
            response={200: SelfReviewEvidenceOut, **DETAIL_ERRORS},
            summary="Platform evidence for an aspect: the figures offered today (to editors) and those attached")
def evidence_get(request: HttpRequest, self_review_id: int = id_in_path(), framework_aspect_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    _review, answer, editable = selectors.answer_for(actor, self_review_id, framework_aspect_id)
    return _evidence(actor, answer, editable)


@router.post("/self-review/reviews/{self_review_id}/answers/{framework_aspect_id}/evidence",
             response={201: SelfReviewSnapshotOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Attach a platform figure, computed now, to the answer's evidence (a frozen snapshot)")
def evidence_post(request: HttpRequest, payload: SelfReviewAttachIn, self_review_id: int = id_in_path(),
                  framework_aspect_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    _review, answer, editable = selectors.answer_for(actor, self_review_id, framework_aspect_id)
    if not editable:
        raise NotFound()
    return Status(201, evidence.evidence_attach(actor=actor, answer=answer, measure=payload.measure))


# --- The Charter --------------------------------------------------------------------------------


class SelfReviewCharterRecordOut(Schema):
    id: int
    stage: str
    outcome: str
    recorded_on: datetime.date
    recorded_by: str
    adviser_reference: str
    visit_date: datetime.date | None
    expires_on: datetime.date | None
    review_id: int | None
    notes: str


class SelfReviewCharterOut(Schema):
    institution_id: int
    on: datetime.date
    stage: str | None
    eligible: str | None
    mark_expires_on: datetime.date | None
    review_id: int | None
    elements_at_threshold: list[int]
    reasons: list[str]
    pending_request_id: int | None


class SelfReviewRequestIn(Schema):
    note: str = Field("", max_length=2000)


class SelfReviewRequestOut(Schema):
    id: int
    review_id: int
    status: str
    requested_on: datetime.date
    decided_on: datetime.date | None


class SelfReviewDecisionIn(Schema):
    confirm: bool
    adviser_reference: str = Field("", max_length=100)
    note: str = Field("", max_length=2000)


class SelfReviewVisitIn(Schema):
    stage: Literal["ict_mark", "excellence"] = "ict_mark"
    visit_date: datetime.date
    awarded: bool
    notes: str = Field("", max_length=2000)


class SelfReviewCommitIn(Schema):
    notes: str = Field("", max_length=2000)


def _record(r: CharterRecord) -> dict[str, Any]:
    return {"id": r.pk, "stage": r.stage, "outcome": r.outcome, "recorded_on": r.recorded_on,
            "recorded_by": r.recorded_by.full_name, "adviser_reference": r.adviser_reference, "visit_date": r.visit_date,
            "expires_on": r.expires_on, "review_id": r.review_id, "notes": r.notes}


def _status(institution: Institution) -> dict[str, Any]:
    status = charter.charter_status(institution.pk)
    pending = selectors.pending_recognition(institution)
    return {"institution_id": institution.pk, "on": status.on, "stage": status.stage, "eligible": status.eligible,
            "mark_expires_on": status.mark.expires_on if status.mark else None,
            "review_id": status.review.pk if status.review else None,
            "elements_at_threshold": [e.number for e in status.check.elements if e.at_threshold] if status.check else [],
            "reasons": status.reasons, "pending_request_id": pending.pk if pending else None}


def _request(q: RecognitionRequest) -> dict[str, Any]:
    return {"id": q.pk, "review_id": q.review_id, "status": q.status, "requested_on": q.requested_on, "decided_on": q.decided_on}


def _acting_on(request: HttpRequest, institution_id: int, action: str) -> tuple[Actor, Institution]:
    """The acting person and the institution, fetched through the policy for ``action`` (404 otherwise)."""
    actor = actor_for(request)
    return actor, get_for(actor, Institution, institution_id, action)


@router.get("/self-review/institutions/{institution_id}/charter", response={200: SelfReviewCharterOut, **DETAIL_ERRORS},
            summary="The Charter stage the institution holds, the stage its data supports, and why not further")
def charter_get(request: HttpRequest, institution_id: int = id_in_path()) -> Any:
    return _status(get_for(actor_for(request), Institution, institution_id, "view_charter"))


@router.get("/self-review/institutions/{institution_id}/charter/history",
            response={200: list[SelfReviewCharterRecordOut], **DETAIL_ERRORS},
            summary="Every recorded Charter step, oldest first, with who recorded it")
def charter_history(request: HttpRequest, institution_id: int = id_in_path()) -> Any:
    institution = get_for(actor_for(request), Institution, institution_id, "view_charter")
    return [_record(r) for r in CharterRecord.objects.filter(institution=institution).select_related("recorded_by")]


@router.post("/self-review/institutions/{institution_id}/charter/commit",
             response={201: SelfReviewCharterRecordOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Record the institution's commitment to the Charter (head or senior leader)")
def charter_commit(request: HttpRequest, payload: SelfReviewCommitIn, institution_id: int = id_in_path()) -> Any:
    actor, institution = _acting_on(request, institution_id, "commit_to_charter")
    return Status(201, _record(charter_services.charter_commit(actor=actor, institution=institution, notes=payload.notes)))


@router.post("/self-review/institutions/{institution_id}/charter/recognition",
             response={201: SelfReviewRequestOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Ask the authority to confirm the Recognised stage (head or senior leader)")
def charter_request(request: HttpRequest, payload: SelfReviewRequestIn, institution_id: int = id_in_path()) -> Any:
    actor, institution = _acting_on(request, institution_id, "commit_to_charter")
    return Status(201, _request(charter_services.recognition_request(actor=actor, institution=institution, note=payload.note)))


@router.post("/self-review/institutions/{institution_id}/charter/confirm",
             response={200: SelfReviewRequestOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Confirm (with the adviser's reference) or decline the waiting request (an officer of the authority)")
def charter_confirm(request: HttpRequest, payload: SelfReviewDecisionIn, institution_id: int = id_in_path()) -> Any:
    from django.core.exceptions import ValidationError

    actor, institution = _acting_on(request, institution_id, "confirm_charter")
    pending = selectors.pending_recognition(institution)
    if pending is None:
        raise ValidationError("There is no request waiting for a decision.")
    return _request(charter_services.recognition_decide(actor=actor, request=pending, confirm=payload.confirm,
                                                        adviser_reference=payload.adviser_reference, note=payload.note))


@router.post("/self-review/institutions/{institution_id}/charter/visits",
             response={201: SelfReviewCharterRecordOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Record an assessor's visit for the ICT Mark or Excellence, and its outcome (an assessor of the authority)")
def charter_visit(request: HttpRequest, payload: SelfReviewVisitIn, institution_id: int = id_in_path()) -> Any:
    actor, institution = _acting_on(request, institution_id, "assess_charter")
    record = charter_services.charter_visit(actor=actor, institution=institution, stage=payload.stage,
                                            visit_date=payload.visit_date, awarded=payload.awarded, notes=payload.notes)
    return Status(201, _record(CharterRecord.objects.select_related("recorded_by").get(pk=record.pk)))
