"""Benchmarks, action plans, the authority view and its targets over the API. Scoped exactly as the pages:
missing and forbidden both answer 404; a refused value answers 422 naming the field."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, MAX_ID, WRITE_ERRORS, ErrorOut, id_in_path
from commonroom.organisations.models import Institution, LocalAuthority
from commonroom.selfreview import selectors, selectors_plans, services_plans
from commonroom.selfreview.models_plans import Action

router = Router(tags=["self-review"])


FRAMEWORK = Query(None, max_length=60, description="A framework slug (default: schools)")


class SelfReviewGroupOut(Schema):
    size: int
    shown: bool
    lower_quartile: float | None
    median: float | None
    upper_quartile: float | None
    position: str


class SelfReviewBenchmarkRowOut(Schema):
    element_number: int
    element_name: str
    own_mean_level: float | None
    own_at_threshold: bool | None
    instance: SelfReviewGroupOut
    authority: SelfReviewGroupOut | None


class SelfReviewBenchmarksOut(Schema):
    institution_id: int
    framework_slug: str
    on_roll: int
    size_band: str
    min_group: int
    own_review_id: int | None
    instance_group_size: int
    authority_group_size: int | None
    elements: list[SelfReviewBenchmarkRowOut]


class SelfReviewActionOut(Schema):
    id: int
    institution_id: int
    review_id: int
    aspect_id: int
    aspect_code: str
    title: str
    level_when_added: int | None
    target_level: int
    owner_id: int
    owner_name: str
    due_on: datetime.date
    cost: Decimal | None
    status: str
    notes: str
    overdue: bool
    later_review_id: int | None
    later_level: int | None
    outcome: str


class SelfReviewActionIn(Schema):
    title: str = Field(..., max_length=200)
    target_level: int = Field(..., ge=1, le=5)
    owner_id: int = Field(..., ge=1, le=MAX_ID)
    due_on: datetime.date
    cost: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    status: Action.Status = Action.Status.PLANNED
    notes: str = Field("", max_length=5000)


class SelfReviewActionCreateIn(SelfReviewActionIn):
    review_id: int = Field(..., ge=1, le=MAX_ID)
    aspect_id: int = Field(..., ge=1, le=MAX_ID)


class SelfReviewTargetOut(Schema):
    id: int
    title: str
    framework_slug: str
    element_number: int | None
    phase: str
    share: int
    due_on: datetime.date
    eligible: int
    at_threshold: int
    share_now: float
    status: str


class SelfReviewTargetIn(Schema):
    title: str = Field(..., max_length=200)
    framework_slug: str = Field(..., max_length=60)
    element_number: int | None = Field(None, ge=1, le=99)
    phase: str = Field("", max_length=20)
    share: int = Field(..., ge=1, le=100)
    due_on: datetime.date


class SelfReviewAuthorityInstitutionOut(Schema):
    institution_id: int
    name: str
    phase: str
    charter_stage: str | None
    latest_review_id: int | None
    latest_review_on: datetime.date | None
    elements_at_threshold: int
    no_review_for_a_year: bool


class SelfReviewDistributionOut(Schema):
    element_number: int
    element_name: str
    institutions_by_level: dict[str, int]
    at_threshold: int
    reviewed: int


class SelfReviewYearOut(Schema):
    academic_year: str
    reviewed: int
    every_element_at_threshold: int
    at_threshold_by_element: dict[str, int]


class SelfReviewAuthorityOut(Schema):
    local_authority_id: int
    framework_slug: str
    this_year: str
    institutions: list[SelfReviewAuthorityInstitutionOut]
    distribution: list[SelfReviewDistributionOut]
    reached_threshold_this_year: list[int]
    years: list[SelfReviewYearOut]
    not_reviewed_for_a_year: list[int]
    targets: list[SelfReviewTargetOut]


def _group(group: selectors_plans.GroupFigures) -> dict[str, Any]:
    return {"size": group.size, "shown": group.shown, "lower_quartile": group.lower_quartile, "median": group.median,
            "upper_quartile": group.upper_quartile, "position": group.position}


@router.get("/self-review/institutions/{institution_id}/benchmarks",
            response={200: SelfReviewBenchmarksOut, **DETAIL_ERRORS},
            summary="The institution's levels per element against institutions like it (quartiles, never names)")
def benchmarks_get(request: HttpRequest, institution_id: int = id_in_path(), framework: str | None = FRAMEWORK) -> Any:
    data = selectors_plans.benchmarks(actor_for(request), institution_id, framework)
    return {"institution_id": data.institution.pk, "framework_slug": data.slug, "on_roll": data.on_roll,
            "size_band": data.band, "min_group": data.min_group,
            "own_review_id": data.own_review.review_id if data.own_review else None,
            "instance_group_size": data.instance_size, "authority_group_size": data.authority_size,
            "elements": [{"element_number": r.number, "element_name": r.name, "own_mean_level": r.own,
                          "own_at_threshold": r.own_at_threshold, "instance": _group(r.instance),
                          "authority": _group(r.authority) if r.authority else None} for r in data.rows]}


def _action(row: selectors_plans.ActionRow) -> dict[str, Any]:
    a = row.action
    return {"id": a.pk, "institution_id": a.institution_id, "review_id": a.review_id, "aspect_id": a.aspect_id,
            "aspect_code": a.aspect.code, "title": a.title, "level_when_added": a.level_when_added,
            "target_level": a.target_level, "owner_id": a.owner_id, "owner_name": a.owner.full_name, "due_on": a.due_on,
            "cost": a.cost, "status": a.status, "notes": a.notes, "overdue": row.overdue,
            "later_review_id": row.later_review.review_id if row.later_review else None, "later_level": row.later_level,
            "outcome": row.outcome}


@router.get("/self-review/institutions/{institution_id}/actions", response={200: list[SelfReviewActionOut], **DETAIL_ERRORS},
            summary="The institution's action plan, with what is overdue and what the next review showed")
def actions_list(request: HttpRequest, institution_id: int = id_in_path()) -> Any:
    return [_action(row) for row in selectors_plans.action_plan(actor_for(request), institution_id).rows]


def _one_action(actor: Any, action: Action) -> dict[str, Any]:
    action = selectors_plans.action_for(actor, action.pk)
    rows = selectors_plans.actions_with_outcomes([action], action.institution_id, selectors_plans.today())
    return _action(rows[0])


@router.post("/self-review/institutions/{institution_id}/actions",
             response={201: SelfReviewActionOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Add an action from an aspect of one of the institution's reviews (head or senior leader)")
def action_create(request: HttpRequest, payload: SelfReviewActionCreateIn, institution_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, "plan_actions")
    review, answer, _editable = selectors.answer_for(actor, payload.review_id, payload.aspect_id)
    if review.institution_id != institution.pk:
        raise NotFound()
    action = services_plans.action_add(actor=actor, review=review, answer=answer, values=payload.dict())
    return Status(201, _one_action(actor, action))


@router.put("/self-review/actions/{self_review_action_id}", response={200: SelfReviewActionOut, 404: ErrorOut, **WRITE_ERRORS},
            summary="Change an action (head or senior leader)")
def action_put(request: HttpRequest, payload: SelfReviewActionIn, self_review_action_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    action = selectors_plans.action_for(actor, self_review_action_id, "change")
    services_plans.action_update(actor=actor, action=action, values=payload.dict())
    return _one_action(actor, action)


def _target(row: selectors_plans.TargetRow) -> dict[str, Any]:
    t = row.target
    return {"id": t.pk, "title": t.title, "framework_slug": t.framework_slug, "element_number": t.element_number,
            "phase": t.phase, "share": t.share, "due_on": t.due_on, "eligible": row.eligible,
            "at_threshold": row.at_threshold, "share_now": row.share, "status": row.status}


@router.get("/self-review/authorities/{self_review_authority_id}", response={200: SelfReviewAuthorityOut, **DETAIL_ERRORS},
            summary="The authority view: every institution, levels per element, progress over years, targets")
def authority_get(request: HttpRequest, self_review_authority_id: int = id_in_path(), framework: str | None = FRAMEWORK) -> Any:
    data = selectors_plans.authority_view(actor_for(request), self_review_authority_id, framework)
    return {
        "local_authority_id": data.authority.pk, "framework_slug": data.slug, "this_year": data.this_year,
        "institutions": [{"institution_id": r.institution.pk, "name": r.institution.name, "phase": r.institution.phase,
                          "charter_stage": r.stage if data.has_stages else None,
                          "latest_review_id": r.latest.review_id if r.latest else None,
                          "latest_review_on": r.latest.completed_on if r.latest else None,
                          "elements_at_threshold": r.at_threshold_count, "no_review_for_a_year": r.overdue}
                         for r in data.institutions],
        "distribution": [{"element_number": d.number, "element_name": d.name,
                          "institutions_by_level": {str(level): count for level, count in enumerate(d.counts, start=1)},
                          "at_threshold": d.at_threshold, "reviewed": d.reviewed} for d in data.distribution],
        "reached_threshold_this_year": [r.institution.pk for r in data.reached_this_year],
        "years": [{"academic_year": y.label, "reviewed": y.reviewed, "every_element_at_threshold": y.all_at_threshold,
                   "at_threshold_by_element": {str(n): c for n, c in y.by_element.items()}} for y in data.years],
        "not_reviewed_for_a_year": [r.institution.pk for r in data.not_reviewed],
        "targets": [_target(t) for t in data.targets],
    }


@router.post("/self-review/authorities/{self_review_authority_id}/targets",
             response={201: SelfReviewTargetOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Set a target for the authority's institutions (an officer of the authority)")
def target_create(request: HttpRequest, payload: SelfReviewTargetIn, self_review_authority_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    authority = get_for(actor, LocalAuthority, self_review_authority_id, "set_self_review_targets")
    target = services_plans.target_add(actor=actor, authority=authority, values=payload.dict())
    return Status(201, _target_row(actor, target.pk))


def _target_row(actor: Any, pk: int) -> dict[str, Any]:
    data = selectors_plans.authority_view(actor, selectors_plans.target_for(actor, pk).local_authority_id)
    return _target(next(row for row in data.targets if row.target.pk == pk))


@router.put("/self-review/targets/{self_review_target_id}", response={200: SelfReviewTargetOut, 404: ErrorOut, **WRITE_ERRORS},
            summary="Change a target (an officer of its authority)")
def target_put(request: HttpRequest, payload: SelfReviewTargetIn, self_review_target_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    target = selectors_plans.target_for(actor, self_review_target_id)
    services_plans.target_update(actor=actor, target=target, values=payload.dict())
    return _target_row(actor, target.pk)
