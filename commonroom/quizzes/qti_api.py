"""QTI over the API: import a package into your question bank, export questions or a quiz as a package."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, MAX_ID, WRITE_ERRORS, ErrorOut, id_in_path
from commonroom.people.models import Group
from commonroom.quizzes import qti
from commonroom.quizzes.models import Quiz, Visibility
from commonroom.quizzes.qti import QtiError
from commonroom.quizzes.qti_services import MAX_EXPORT, may_import, qti_export_questions, qti_export_quiz, qti_import

router = Router(tags=["qti"])

Version = Literal["3.0", "2.1"]


class QtiProblemOut(Schema):
    detail: str = Field(description="The whole message: file, where, what")
    file: str = Field(description="The upload, or the file inside the package at fault")
    element: str = Field(description="Where in the file: line and element, or the zip entry")
    message: str


class QtiImportedQuestionOut(Schema):
    id: int
    kind: str
    identifier: str
    prompt: str


class QtiImportOut(Schema):
    version: str = Field(description="The QTI version read: 2.1 or 3.0")
    title: str = Field(description="The assessment test's title, if the package had one")
    questions: list[QtiImportedQuestionOut]
    quiz_id: int | None = Field(description="The draft quiz made, when group_id was given")


class QtiExportIn(Schema):
    question_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(..., min_length=1, max_length=MAX_EXPORT)
    version: Version = "3.0"
    title: str = Field("", max_length=200, description="The package's title (its assessment test)")


_ZIP = {"responses": {"200": {
    "description": "A QTI content package (zip: imsmanifest.xml, an assessment test, one file per item)",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}}}


def _download(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _problem(error: QtiError) -> Any:
    return Status(422, {"detail": str(error), "file": error.file, "element": error.element,
                        "message": error.message})


@router.post(
    "/qti/import",
    response={200: QtiImportOut, 404: ErrorOut, **WRITE_ERRORS, 422: QtiProblemOut | dict[str, Any]},
    summary="Import a QTI package into your question bank",
)
def import_package(
    request: HttpRequest,
    file: UploadedFile | None = File(None, description="A QTI 2.1 or 3.0 package (.zip) or item (.xml), at most 10 MB"),  # noqa: B008
    visibility: Literal["private", "institution", "authority", "everyone"] = Form(
        "private", description="Who may use the questions"),
    group_id: int | None = Form(None, ge=1, le=MAX_ID, description="Also make a draft quiz for this group"),
    quiz_title: str = Form("", max_length=200, description="The quiz's title; the test's title if empty"),
) -> Any:
    """All or nothing: a package with any fault (hostile XML, a path outside the package, a zip bomb, an
    unsupported interaction, an invalid question) answers 422 naming the file, line and element; nothing is
    stored. For teachers, heads and senior leaders; the questions go into the caller's own bank."""
    actor = actor_for(request)
    if not may_import(actor):
        raise NotFound()
    group = get_for(actor, Group, group_id, action="manage_quizzes") if group_id is not None else None
    if file is None:
        return _problem(QtiError("(no file)", "", "attach the QTI package as the multipart field 'file'"))
    if file.size is not None and file.size > qti.MAX_UPLOAD_BYTES:
        return _problem(QtiError(qti.display_name(file.name or ""), "", "the file is larger than the 10 MB limit"))
    try:
        result = qti_import(actor=actor, data=file.read(), filename=file.name or "upload",
                            visibility=Visibility(visibility), group=group, quiz_title=quiz_title)
    except QtiError as error:
        return _problem(error)
    return {
        "version": result.package.version,
        "title": result.package.title,
        "questions": [{"id": q.pk, "kind": q.kind, "identifier": q.identifier, "prompt": q.prompt}
                      for q in result.questions],
        "quiz_id": result.quiz.pk if result.quiz else None,
    }


@router.post("/qti/export", response={404: ErrorOut, **WRITE_ERRORS}, openapi_extra=_ZIP,
             summary="Export questions as a QTI package")
def export_questions(request: HttpRequest, payload: QtiExportIn) -> Any:
    """The questions in the order given, from your bank or shared with you (404 if any is not: missing and
    forbidden look the same)."""
    actor = actor_for(request)
    filename, data = qti_export_questions(actor=actor, question_ids=payload.question_ids, version=payload.version,
                                          title=payload.title)
    return _download(filename, data)


@router.get("/quizzes/{quiz_id}/qti", response={**DETAIL_ERRORS}, openapi_extra=_ZIP,
            summary="Export a quiz as a QTI package")
def export_quiz(request: HttpRequest, quiz_id: int = id_in_path(),
                version: Version = Query("3.0", description="QTI 3.0 or 2.1")) -> Any:  # noqa: B008
    """The quiz's fixed questions in order, with an assessment test carrying its title. For those who see the
    quiz's results (its group's teachers, the school's head and senior leaders). 422 if it has no fixed
    questions."""
    actor = actor_for(request)
    quiz = get_for(actor, Quiz, quiz_id, action="results")
    filename, data = qti_export_quiz(actor=actor, quiz=quiz, version=version)
    return _download(filename, data)
