"""Importing CSV and Common Transfer Files over the API, and making CTFs: the same checks as the pages."""

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import MAX_ID, WRITE_ERRORS, ErrorOut, ValidationErrorOut, id_in_path
from commonroom.interop import csv_import, ctf_exchange
from commonroom.interop.ctf import CtfError, read_upload
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


# Common Transfer Files ------------------------------------------------------------------------------------------


class CtfProblemsOut(Schema):
    detail: str
    problems: list[str]


class CtfPupilOut(Schema):
    position: int
    upn: str
    name: str
    action: Literal["create", "update", "skip"]
    reason: str
    warnings: list[str]
    learner_id: int | None
    adds: dict[str, int]


class CtfImportOut(Schema):
    dry_run: bool
    source_laestab: str
    source_name: str
    version: str
    join_date: datetime.date
    counts: dict[str, int]
    pupils: list[CtfPupilOut]


class CtfExportIn(Schema):
    learner_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        ..., min_length=1, max_length=5000, description="Learners who are or were enrolled at the institution")
    qualifier: Literal["full", "partial"] = Field("full", description="full (leavers) or partial (no contacts, SEN, "
                                                                      "attendance)")
    dest_laestab: str | None = Field(None, max_length=7, description="The next school's LA and establishment numbers, "
                                                                     "7 digits; empty when not known")


CTF_PROBLEMS: dict[int, Any] = {422: CtfProblemsOut | ValidationErrorOut}


def _ctf_refused(refused: CtfError, detail: str) -> Any:
    return Status(422, {"detail": detail, "problems": list(refused.problems)})


@router.post(
    "/institutions/{institution_id}/ctf/import",
    response={200: CtfImportOut, 404: ErrorOut, **WRITE_ERRORS, **CTF_PROBLEMS},
    summary="Import a Common Transfer File",
    tags=["ctf"],
)
def import_ctf(
    request: HttpRequest,
    institution_id: int = id_in_path(),
    file: UploadedFile | None = File(None, description="The CTF (XML), up to 20 MB"),  # noqa: B008
    dry_run: bool = Form(True, description="Check and report without writing (the default)"),
) -> Any:
    """Read a CTF and report, pupil by pupil, whether it creates, updates or skips them (and why); with
    ``dry_run=false`` write it, all or nothing. A refused file answers 422 with every problem named by
    pupil and element; nothing is written."""
    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, action="enrol")
    try:
        if file is None:
            raise CtfError("Send the Common Transfer File as the multipart field 'file'.")
        data = read_upload(file)
        if dry_run:
            plan = ctf_exchange.ctf_preview(actor=actor, institution=institution, data=data)
        else:
            plan = ctf_exchange.ctf_import(actor=actor, institution=institution, data=data).plan
    except CtfError as refused:
        return _ctf_refused(refused, "The file cannot be imported; nothing was written.")
    return {
        "dry_run": dry_run, "source_laestab": plan.source_laestab, "source_name": plan.source_name,
        "version": plan.version, "join_date": plan.join_date, "counts": plan.counts(),
        "pupils": [{"position": row.position, "upn": row.upn, "name": row.name, "action": row.action,
                    "reason": row.reason, "warnings": row.warnings, "learner_id": row.learner_id, "adds": row.adds}
                   for row in plan.rows],
    }


@router.post(
    "/institutions/{institution_id}/ctf/export",
    response={404: ErrorOut, **WRITE_ERRORS, **CTF_PROBLEMS},
    summary="Make a Common Transfer File",
    tags=["ctf"],
    openapi_extra={"responses": {"200": {
        "description": "The CTF as XML, named by the CTF convention in Content-Disposition",
        "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
    }}},
)
def export_ctf(request: HttpRequest, payload: CtfExportIn, institution_id: int = id_in_path()) -> Any:
    """A CTF for learners who are or were enrolled here (404 if any is not one you may send: missing and
    forbidden look the same). Audited per learner."""
    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, action="enrol")
    try:
        name, data = ctf_exchange.ctf_export(actor=actor, institution=institution, learner_ids=payload.learner_ids,
                                             qualifier=payload.qualifier, dest_laestab=payload.dest_laestab or None)
    except CtfError as refused:
        return _ctf_refused(refused, "No file was made.")
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
