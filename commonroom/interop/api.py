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


# --------------------------------------------------------------------------------------------------
# OneRoster exchange: the school's roster as a OneRoster 1.2 CSV zip, out and in.
# --------------------------------------------------------------------------------------------------
from django.http import HttpResponse  # noqa: E402
from ninja import File, Form, UploadedFile  # noqa: E402

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
