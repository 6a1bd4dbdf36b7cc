"""Importing CSV over the API: the same checks as the page, as a dry run or for real."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import WRITE_ERRORS, ErrorOut, id_in_path
from commonroom.interop import csv_import
from commonroom.organisations.models import Institution

router = Router(tags=["import"])


class ImportIn(Schema):
    groups: str = Field("", description="groups.csv as text")
    learners: str = Field("", description="learners.csv as text")
    memberships: str = Field("", description="memberships.csv as text")
    contacts: str = Field("", description="contacts.csv as text")
    dry_run: bool = Field(True, description="Check and report without writing (the default)")


class ImportOut(Schema):
    dry_run: bool
    groups: int
    learners: int
    memberships: int
    contacts: int


class ImportProblemsOut(Schema):
    detail: str
    problems: list[str]


@router.post("/institutions/{institution_id}/import", response={200: ImportOut, 404: ErrorOut,
             409: ImportProblemsOut, **WRITE_ERRORS}, summary="Import CSV files")
def import_csv(request: HttpRequest, payload: ImportIn, institution_id: int = id_in_path()) -> Any:
    """Import learners, groups, memberships and contacts, all or nothing. Problems answer 409 with every
    problem named by file, row and field; nothing is written."""
    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, action="enrol")
    texts = {name: getattr(payload, name) for name in csv_import.FILE_ORDER}
    try:
        if payload.dry_run:
            counts = csv_import.preview(actor=actor, institution=institution, texts=texts).counts()
        else:
            counts = csv_import.commit(actor=actor, institution=institution, texts=texts)
    except csv_import.ImportRefused as refused:
        return Status(409, {"detail": "The files cannot be imported; nothing was written.", "problems": refused.problems})
    return {"dry_run": payload.dry_run, **counts}
