"""Institutions the caller may see. Thin: parse, read through the selector, return."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from commonroom.authz.actor import actor_for
from commonroom.common.api_schemas import DETAIL_ERRORS, READ_ERRORS, Ref, id_in_path, paginated
from commonroom.organisations.models import Institution
from commonroom.organisations.selectors import institution_for, institution_list

router = Router(tags=["institutions"])


class InstitutionOut(Schema):
    id: int
    name: str
    kind: str
    phase: str
    urn: str | None
    la_number: str
    estab_number: str
    local_authority: Ref | None

    @staticmethod
    def resolve_local_authority(obj: Institution) -> dict[str, Any] | None:
        authority = obj.local_authority
        return {"id": authority.pk, "name": authority.name} if authority else None


@router.get("/institutions", response={200: list[InstitutionOut], **READ_ERRORS}, summary="List institutions")
@paginated
def list_institutions(request: HttpRequest) -> QuerySet[Institution]:
    """Institutions where the caller works, that their authority maintains, or that they or their children attend."""
    return institution_list(actor_for(request))


@router.get(
    "/institutions/{institution_id}", response={200: InstitutionOut, **DETAIL_ERRORS}, summary="Get an institution"
)
def get_institution(request: HttpRequest, institution_id: int = id_in_path()) -> Institution:
    return institution_for(actor_for(request), institution_id)
