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


# --------------------------------------------------------------------------------------------------
# OneRoster exchange: the school's roster as a OneRoster 1.2 CSV zip, out and in.
# --------------------------------------------------------------------------------------------------

from commonroom.common.api_schemas import DETAIL_ERRORS  # noqa: E402
from commonroom.interop.oneroster import OneRosterError, Problem  # noqa: E402
from commonroom.interop.oneroster.reader import MAX_BYTES as ONEROSTER_MAX_BYTES  # noqa: E402
from commonroom.interop.oneroster_exchange import (  # noqa: E402
    ExportRefused,
    RosterPlan,
    roster_export,
    roster_import,
    roster_preview,
)


class RosterProblemOut(Schema):
    file: str = Field(description="The file in the zip, or (zip file)")
    line: int | None = Field(description="The line, 1 being the header row, where known")
    column: str | None = Field(description="The column header, where known")
    message: str


class RosterRefusedOut(Schema):
    """The API's usual shape for a refused request (``detail``), plus each problem with where it is."""

    detail: list[dict[str, Any]]
    problems: list[RosterProblemOut] = Field([], description="Every problem with the package; nothing was written")


class KindCountsOut(Schema):
    created: int
    updated: int
    unchanged: int
    skipped: int


class RosterCountsOut(Schema):
    classes: KindCountsOut
    learners: KindCountsOut
    contacts: KindCountsOut
    staff: KindCountsOut
    enrollments: KindCountsOut
    other: KindCountsOut


class RosterItemOut(Schema):
    kind: str = Field(description="classes, learners, contacts, staff, enrollments or other")
    action: str = Field(description="created, updated, unchanged or skipped (in a dry run: what would happen)")
    sourced_id: str
    label: str
    reason: str


class RosterPlanOut(Schema):
    dry_run: bool
    counts: RosterCountsOut
    items: list[RosterItemOut]


_ZIP_RESPONSE = {
    "responses": {
        "200": {
            "description": "The OneRoster 1.2 bulk CSV zip, as an attachment named oneroster-<URN>-<date>.zip",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/institutions/{institution_id}/oneroster",
    response={409: ErrorOut, **DETAIL_ERRORS},
    openapi_extra=_ZIP_RESPONSE,
    summary="Export the school's roster as OneRoster 1.2 CSV",
    tags=["oneroster"],
)
def oneroster_export(request: HttpRequest, institution_id: int = id_in_path()) -> Any:
    """This year's classes, learners on roll (those you may see), staff, parents and carers (never a barred
    link) and enrollments, as a zip. For the school's office and leaders; each learner's access log
    records the export. 409 if the school has no academic year covering today."""
    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, action="enrol")
    try:
        filename, data = roster_export(actor=actor, institution=institution)
    except ExportRefused as refused:
        return Status(409, {"detail": str(refused)})
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _refused(problems: list[Problem], total: int | None = None) -> Status:
    detail = [{"type": "value_error", "loc": ["body", "file"], "msg": str(problem)} for problem in problems]
    if total is not None and total > len(problems):
        detail.append({"type": "value_error", "loc": ["body", "file"], "msg": f"… and {total - len(problems)} more"})
    return Status(422, {"detail": detail, "problems": [
        {"file": p.file, "line": p.line, "column": p.column, "message": p.message} for p in problems
    ]})


def _plan_out(plan: RosterPlan, dry_run: bool) -> dict[str, Any]:
    return {"dry_run": dry_run, "counts": plan.counts(), "items": [
        {"kind": i.kind, "action": i.action, "sourced_id": i.sourced_id, "label": i.label, "reason": i.reason}
        for i in plan.items
    ]}


_PACKAGE_FILE = File(None, description="The OneRoster 1.2 CSV zip (multipart/form-data)")
_DRY_RUN = Form(True, description="Check and report without writing (the default)")


@router.post(
    "/institutions/{institution_id}/oneroster",
    response={200: RosterPlanOut, 404: ErrorOut, **WRITE_ERRORS, 422: RosterRefusedOut},
    summary="Import a OneRoster 1.2 CSV package",
    tags=["oneroster"],
)
def oneroster_import(
    request: HttpRequest,
    institution_id: int = id_in_path(),
    file: UploadedFile | None = _PACKAGE_FILE,
    dry_run: bool = _DRY_RUN,
) -> Any:
    """Match the package's school by URN, then classes to groups by code, learners by UPN, contacts to their
    learners, teachers to staff by email, and enrollments to memberships. With ``dry_run`` false, write it all
    in one transaction or nothing. 422 lists every problem by file, line and column; nothing is written."""
    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, action="enrol")
    if file is None:
        return _refused([Problem("(zip file)", None, None, "attach the package as the multipart field 'file'")])
    if file.size is not None and file.size > ONEROSTER_MAX_BYTES:
        return _refused([Problem("(zip file)", None, None,
                                 f"the zip is {file.size} bytes; the limit is {ONEROSTER_MAX_BYTES}")])
    data = file.read()
    try:
        if dry_run:
            plan = roster_preview(actor=actor, institution=institution, data=data)
        else:
            plan = roster_import(actor=actor, institution=institution, data=data)
    except OneRosterError as error:
        return _refused(error.problems, error.total)
    return _plan_out(plan, dry_run)
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
