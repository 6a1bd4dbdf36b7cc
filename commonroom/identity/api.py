"""The caller's own account (``/me``) and their personal access tokens. Thin: parse, read or call a service."""

import datetime
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import AwareDatetime

from commonroom.authz.actor import Actor, actor_for
from commonroom.authz.api import get_for, visible
from commonroom.authz.models import RoleAssignment
from commonroom.common.api_auth import SESSION_ONLY
from commonroom.common.api_schemas import (
    CSRF_FAILED,
    DETAIL_ERRORS,
    READ_ERRORS,
    UNAUTHORISED,
    WRITE_ERRORS,
    Ref,
    id_in_path,
    paginated,
)
from commonroom.common.dates import in_force
from commonroom.identity.models import PersonalAccessToken, User
from commonroom.identity.services import token_create, token_revoke

router = Router(tags=["account"])


# Me.


class RoleOut(Schema):
    role: str
    label: str
    institution: Ref | None
    local_authority: Ref | None

    @staticmethod
    def resolve_label(obj: RoleAssignment) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_institution(obj: RoleAssignment) -> dict[str, Any] | None:
        return {"id": obj.institution.pk, "name": obj.institution.name} if obj.institution else None

    @staticmethod
    def resolve_local_authority(obj: RoleAssignment) -> dict[str, Any] | None:
        authority = obj.local_authority
        return {"id": authority.pk, "name": authority.name} if authority else None


class UserOut(Schema):
    username: str
    name: str


class MeOut(Schema):
    user: UserOut
    person_id: int | None
    roles: list[RoleOut]
    is_learner: bool
    cares_for_learner_ids: list[int]


def _roles_in_force(actor: Actor, person_id: int) -> QuerySet[RoleAssignment]:
    """The caller's own role assignments in force today, through the RoleAssignment policy."""
    return (
        visible(actor, RoleAssignment)
        .filter(in_force(on=actor.on), person_id=person_id)
        .select_related("institution", "local_authority")
        .order_by("role", "institution__name", "local_authority__name")
    )


@router.get("/me", response={200: MeOut, **UNAUTHORISED}, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    """The signed-in account: its person, roles in force, and the learners it cares for."""
    actor = actor_for(request)
    return {
        "user": {"username": request.user.get_username(), "name": actor.label},
        "person_id": actor.person_id,
        "roles": list(_roles_in_force(actor, actor.person_id)) if actor.person_id is not None else [],
        "is_learner": actor.is_learner,
        "cares_for_learner_ids": sorted(actor.cared_for_learner_ids),
    }


# Personal access tokens.


class TokenOut(Schema):
    id: int
    name: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    active: bool


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself. It is shown this once and cannot be recovered: store it now.")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="What the token is for, e.g. 'timetable sync'")
    expires_at: AwareDatetime | None = Field(None, description="When it stops working (with a time zone); none: never")


@router.get("/tokens", response={200: list[TokenOut], **READ_ERRORS}, summary="List my tokens")
@paginated
def list_tokens(request: HttpRequest) -> QuerySet[PersonalAccessToken]:
    """The caller's own personal access tokens, newest first. The tokens themselves are never shown again."""
    return visible(actor_for(request), PersonalAccessToken).order_by("-created_at", "-pk")


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **WRITE_ERRORS},
    auth=SESSION_ONLY,
    summary="Create a token",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    """Create a personal access token for the signed-in account (session only: a token cannot mint tokens)."""
    user = cast(User, request.auth)  # type: ignore[attr-defined]  # set by the session auth: the signed-in account
    row, token = token_create(actor=actor_for(request), user=user, name=payload.name, expires_at=payload.expires_at)
    row.token = token  # type: ignore[attr-defined]
    return Status(201, row)


@router.delete("/tokens/{token_id}", response={200: TokenOut, **DETAIL_ERRORS, **CSRF_FAILED}, summary="Revoke a token")
def revoke_token(request: HttpRequest, token_id: int = id_in_path()) -> PersonalAccessToken:
    """Revoke one of the caller's tokens; someone else's is not found."""
    actor = actor_for(request)
    return token_revoke(actor=actor, token=get_for(actor, PersonalAccessToken, token_id, action="revoke"))
