"""Acceptable use over the API, scoped exactly as the pages are (the same selectors and services): missing
and forbidden both answer 404, refused input answers 422 naming the field."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, NOT_FOUND, READ_ERRORS, WRITE_ERRORS, id_in_path
from commonroom.organisations.models import Institution
from commonroom.safeguarding import selectors, services
from commonroom.safeguarding.models import BODY_MAX, TITLE_MAX, AcceptableUseAcceptance, AcceptableUsePolicy

router = Router(tags=["acceptable use"])


class AcceptableUsePolicyOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    audience: Literal["staff", "learners", "parents"]
    version: int
    title: str
    body: str = Field(description="Plain text; blank lines separate paragraphs")
    published_at: datetime.datetime
    in_force: bool = Field(description="False once a newer version has been published for the audience")
    superseded_at: datetime.datetime | None


class AcceptableUseAcceptanceOut(Schema):
    id: int
    policy: AcceptableUsePolicyOut
    accepted_at: datetime.datetime


class AcceptableUseMineOut(Schema):
    pending: list[AcceptableUsePolicyOut] = Field(description="Policies in force that you are asked to accept")
    accepted: list[AcceptableUseAcceptanceOut] = Field(description="What you have accepted, newest first")


class AcceptableUsePolicyIn(Schema):
    audience: Literal["staff", "learners", "parents"]
    title: str = Field(..., max_length=TITLE_MAX * 2)
    body: str = Field(..., max_length=BODY_MAX * 2)


class AcceptableUseAudienceOut(Schema):
    audience: Literal["staff", "learners", "parents"]
    policy_id: int | None = Field(description="The version in force, if one is published")
    version: int | None
    people: int = Field(description="People the policy is for today")
    accepted: int = Field(description="Of them, how many have accepted the version in force")
    percent: float | None


def _policy(row: AcceptableUsePolicy) -> dict[str, Any]:
    return {"id": row.pk, "institution_id": row.institution_id, "institution_name": row.institution.name,
            "audience": row.audience, "version": row.version, "title": row.title, "body": row.body,
            "published_at": row.published_at, "in_force": row.superseded_at is None,
            "superseded_at": row.superseded_at}


def _acceptance(row: AcceptableUseAcceptance) -> dict[str, Any]:
    return {"id": row.pk, "policy": _policy(row.policy), "accepted_at": row.accepted_at}


@router.get("/acceptable-use", response={200: AcceptableUseMineOut, **READ_ERRORS},
            summary="List the acceptable-use policies you are asked to accept, and those you have accepted")
def mine(request: HttpRequest) -> dict[str, Any]:
    view = selectors.my_policies(actor_for(request))
    return {"pending": [_policy(row) for row in view.pending], "accepted": [_acceptance(row) for row in view.accepted]}


@router.post("/acceptable-use/{policy_id}/accept", response={200: AcceptableUseAcceptanceOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Accept an acceptable-use policy for yourself (accepting again keeps the first time)")
def accept(request: HttpRequest, policy_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    policy = get_for(actor, AcceptableUsePolicy, policy_id, "accept",
                     queryset=AcceptableUsePolicy.objects.select_related("institution"))
    acceptance = services.policy_accept(actor=actor, policy=policy)
    acceptance.policy = policy
    return _acceptance(acceptance)


@router.get("/institutions/{institution_id}/acceptable-use/policies",
            response={200: list[AcceptableUsePolicyOut], **DETAIL_ERRORS},
            summary="List every version of an institution's acceptable-use policies (leaders)")
def policies(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    _institution, figures = selectors.institution_figures(actor_for(request), institution_id)
    return [_policy(row) for audience in figures for row in audience.versions]


@router.post("/institutions/{institution_id}/acceptable-use/policies",
             response={201: AcceptableUsePolicyOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Publish a new version of an acceptable-use policy (it replaces the one in force)")
def publish(request: HttpRequest, payload: AcceptableUsePolicyIn,
            institution_id: int = id_in_path()) -> Status:
    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, "acceptable_use_manage")
    row = services.policy_publish(actor=actor, institution=institution, audience=payload.audience,
                                  title=payload.title, body=payload.body)
    return Status(201, _policy(row))


@router.get("/institutions/{institution_id}/acceptable-use/summary",
            response={200: list[AcceptableUseAudienceOut], **DETAIL_ERRORS},
            summary="How many of each audience have accepted the version in force (leaders)")
def summary(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    _institution, figures = selectors.institution_figures(actor_for(request), institution_id)
    return [{"audience": row.audience, "policy_id": row.policy.pk if row.policy else None,
             "version": row.policy.version if row.policy else None, "people": row.members, "accepted": row.accepted,
             "percent": row.percent if row.policy else None} for row in figures]
