"""Course spaces and homework over the API, scoped exactly as the pages are: the same selectors and
services, so missing and forbidden both answer 404 and refused input answers 422 naming the field
(``m_<learner>`` for a mark in a bulk save). Hand-ins over the API are text (files go through the page); the
teacher's annotated feedback file comes as multipart/form-data."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, UploadedFile

from commonroom.authz.actor import Actor, actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, MAX_ID, NOT_FOUND, READ_ERRORS, WRITE_ERRORS, id_in_path
from commonroom.learning import selectors, services
from commonroom.learning.models import Assignment, CourseSpace, Section, Submission

router = Router(tags=["learning"])


class LinkOut(Schema):
    title: str
    url: str


class SectionOut(Schema):
    id: int
    position: int
    title: str
    body: str
    links: list[LinkOut]


class SpaceOut(Schema):
    id: int
    group_id: int
    name: str
    subject: str


class SpaceDetailOut(SpaceOut):
    can_manage: bool
    sections: list[SectionOut]


def section_out(section: Section) -> dict[str, Any]:
    return {"id": section.pk, "position": section.position, "title": section.title, "body": section.body,
            "links": section.links}


def _space(space: CourseSpace) -> dict[str, Any]:
    return {"id": space.pk, "group_id": space.group_id, "name": space.group.name, "subject": space.group.subject}


@router.get("/courses", response={200: list[SpaceOut], **READ_ERRORS}, summary="List my course spaces")
def list_spaces(request: HttpRequest) -> list[dict[str, Any]]:
    """The spaces of the groups you belong to or staff today (created the first time they are listed)."""
    return [_space(space) for space in selectors.my_course_spaces(actor_for(request))]


@router.get("/courses/{space_id}", response={200: SpaceDetailOut, **DETAIL_ERRORS}, summary="Get a course space")
def get_space(request: HttpRequest, space_id: int = id_in_path()) -> dict[str, Any]:
    data = selectors.course_space(actor_for(request), space_id)
    return _space(data.space) | {"can_manage": data.can_manage, "sections": [section_out(s) for s in data.sections]}


class AttachedResourceOut(Schema):
    id: int
    title: str
    kind: str = Field(description="page, file, link or media; open it at GET /resources/{id}")


class AssignmentOut(Schema):
    id: int
    group_id: int
    title: str
    instructions: str
    due_at: datetime.datetime
    expected_minutes: int
    state: str = Field(description="draft or set")
    allow_late: bool
    grade_set_id: int | None
    mark_out_of: int | None
    aspect_id: int | None
    point_id: int | None
    returned_at: datetime.datetime | None
    resources: list[AttachedResourceOut] = Field(description="The attached resources you may open, in order")


class AssignmentIn(Schema):
    title: str = Field(..., max_length=200)
    instructions: str = Field("", max_length=services.MAX_TEXT)
    due_at: datetime.datetime
    expected_minutes: int = Field(30, ge=1, le=600)
    state: str = Field("draft", description="draft or set")
    allow_late: bool = True
    grade_set_id: int | None = Field(None, ge=1, le=MAX_ID)
    mark_out_of: int | None = Field(None, ge=1, le=1000)
    aspect_id: int | None = Field(None, ge=1, le=MAX_ID, description="With point_id: marks go to the assessment record on return")
    point_id: int | None = Field(None, ge=1, le=MAX_ID)
    resource_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        None, max_length=services.MAX_RESOURCES,
        description="The resources to attach, in order: yours or shared with you (GET /resources). They replace "
                    "those attached; leave it out to keep them as they are.")


def _assignment(a: Assignment, resources: list[Any]) -> dict[str, Any]:
    return {field: getattr(a, field) for field in (
        "title", "instructions", "due_at", "expected_minutes", "state", "allow_late", "grade_set_id", "mark_out_of",
        "aspect_id", "point_id", "returned_at", "group_id")} | {
        "id": a.pk, "resources": [{"id": r.pk, "title": r.title, "kind": r.kind} for r in resources]}


def _assignments(actor: Actor, rows: list[Assignment]) -> list[dict[str, Any]]:
    """Assignments already read through ``authz``, each with its resources (one more query for them all)."""
    attached = selectors.attached_resources(actor, [a.pk for a in rows])
    return [_assignment(a, attached[a.pk]) for a in rows]


@router.get("/courses/{space_id}/assignments", response={200: list[AssignmentOut], **DETAIL_ERRORS},
            summary="List a course space's homework")
def list_assignments(request: HttpRequest, space_id: int = id_in_path()) -> list[dict[str, Any]]:
    """Homework set for the space's group, newest due first (drafts too, for those who manage it)."""
    actor = actor_for(request)
    return _assignments(actor, list(selectors.course_space(actor, space_id).assignments))


@router.post("/courses/{space_id}/assignments", response={201: AssignmentOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Set homework")
def create_assignment(request: HttpRequest, payload: AssignmentIn, space_id: int = id_in_path()) -> tuple[int, dict[str, Any]]:
    actor = actor_for(request)
    space = get_for(actor, CourseSpace, space_id, "manage", queryset=CourseSpace.objects.select_related("group"))
    assignment = services.assignment_save(actor=actor, group=space.group, **payload.dict())
    return 201, _assignments(actor, [assignment])[0]


@router.get("/assignments/{assignment_id}", response={200: AssignmentOut, **DETAIL_ERRORS}, summary="Get homework")
def get_assignment(request: HttpRequest, assignment_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    return _assignments(actor, [get_for(actor, Assignment, assignment_id)])[0]


@router.put("/assignments/{assignment_id}", response={200: AssignmentOut, **NOT_FOUND, **WRITE_ERRORS},
            summary="Change homework")
def update_assignment(request: HttpRequest, payload: AssignmentIn, assignment_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    assignment = get_for(actor, Assignment, assignment_id, "manage", queryset=Assignment.objects.select_related("group"))
    saved = services.assignment_save(actor=actor, group=assignment.group, assignment=assignment, **payload.dict())
    return _assignments(actor, [saved])[0]


class SubmissionOut(Schema):
    id: int
    learner_id: int
    handed_in_at: datetime.datetime | None
    late: bool
    on_paper: bool
    attempts: int
    text: str
    has_file: bool
    mark: str | None = Field(description="Shown to the learner and family only once the work is returned")
    feedback: str | None
    has_feedback_file: bool | None = Field(
        description="An annotated feedback file is attached (GET /submissions/{id}/feedback-file); like the mark, "
                    "shown to the learner and family only once the work is returned")


class HandInIn(Schema):
    text: str = Field(..., max_length=services.MAX_TEXT)


def _submission(sub: Submission, show_marks: bool) -> dict[str, Any]:
    return {"id": sub.pk, "learner_id": sub.learner_id, "handed_in_at": sub.handed_in_at, "late": sub.late,
            "on_paper": sub.on_paper, "attempts": sub.attempts, "text": sub.text, "has_file": bool(sub.file),
            "mark": sub.mark if show_marks else None, "feedback": sub.feedback if show_marks else None,
            "has_feedback_file": bool(sub.feedback_file) if show_marks else None}


@router.post("/assignments/{assignment_id}/submissions", response={201: SubmissionOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Hand work in")
def hand_in(request: HttpRequest, payload: HandInIn, assignment_id: int = id_in_path()) -> tuple[int, dict[str, Any]]:
    """A learner of the group hands in a text answer (again, until the due time). Late work is recorded as late,
    or refused if the homework takes none (422)."""
    actor = actor_for(request)
    assignment = get_for(actor, Assignment, assignment_id, "hand_in")
    submission = services.hand_in(actor=actor, assignment=assignment, text=payload.text)
    return 201, _submission(submission, assignment.returned)


@router.get("/assignments/{assignment_id}/submissions", response={200: list[SubmissionOut], **DETAIL_ERRORS},
            summary="List hand-ins")
def list_submissions(request: HttpRequest, assignment_id: int = id_in_path()) -> list[dict[str, Any]]:
    """Every hand-in for those who manage the homework; one's own (or one's child's) for a learner or parent."""
    from commonroom.authz.api import can

    actor = actor_for(request)
    assignment, rows = selectors.submissions_for(actor, assignment_id)
    show = assignment.returned or can(actor, "manage", assignment)
    return [_submission(sub, show) for sub in rows]


class HomeworkMarkIn(Schema):
    learner_id: int = Field(..., ge=1, le=MAX_ID)
    mark: str = Field("", max_length=20)
    feedback: str = Field("", max_length=services.MAX_TEXT)
    on_paper: bool = False


class MarksIn(Schema):
    marks: list[HomeworkMarkIn] = Field(..., max_length=2000)


class CountOut(Schema):
    count: int


@router.put("/assignments/{assignment_id}/marks", response={200: CountOut, **NOT_FOUND, **WRITE_ERRORS},
            summary="Mark hand-ins in bulk")
def save_marks(request: HttpRequest, payload: MarksIn, assignment_id: int = id_in_path()) -> dict[str, int]:
    """All or nothing; a bad mark answers 422 naming ``m_<learner_id>``. Returns how many learners changed."""
    actor = actor_for(request)
    assignment = get_for(actor, Assignment, assignment_id, "manage")
    rows = [services.MarkRow(m.learner_id, m.mark, m.feedback, m.on_paper) for m in payload.marks]
    return {"count": services.marks_save(actor=actor, assignment=assignment, rows=rows)}


@router.post("/assignments/{assignment_id}/return", response={200: CountOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Return marked work to everyone")
def return_work(request: HttpRequest, assignment_id: int = id_in_path()) -> dict[str, int]:
    """Learners and families see marks and feedback from now on. ``count``: marks sent to the assessment record."""
    actor = actor_for(request)
    assignment = get_for(actor, Assignment, assignment_id, "manage", queryset=Assignment.objects.select_related("group"))
    return {"count": services.assignment_return(actor=actor, assignment=assignment)}


@router.get("/assignments", response={200: list[AssignmentOut], **READ_ERRORS}, summary="List my homework")
def my_assignments(request: HttpRequest) -> list[dict[str, Any]]:
    """Homework in all your classes today, newest due first (at most 500): a learner's set homework, a teacher's
    (drafts too) for the classes they teach. Your hand-ins: ``GET /learners/{your id}/homework``."""
    actor = actor_for(request)
    return _assignments(actor, selectors.my_assignments(actor))


@router.get("/submissions/{submission_id}", response={200: SubmissionOut, **DETAIL_ERRORS}, summary="Get a hand-in")
def get_submission(request: HttpRequest, submission_id: int = id_in_path()) -> dict[str, Any]:
    """One hand-in: the learner, their parents and carers (not barred), and those who mark it. Audited."""
    from commonroom.authz.api import can

    actor = actor_for(request)
    sub = selectors.submission(actor, submission_id)
    return _submission(sub, sub.assignment.returned or can(actor, "mark", sub))


_FILE_RESPONSE = {"responses": {"200": {
    "description": "The file, as an attachment (Content-Disposition), with the type it was checked to be",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}}}


@router.get("/submissions/{submission_id}/file", response=DETAIL_ERRORS, openapi_extra=_FILE_RESPONSE,
            summary="Download a hand-in's file")
def submission_file(request: HttpRequest, submission_id: int = id_in_path()) -> Any:
    """For those who may see the hand-in; 404 when it has no file. Reads by anyone but the learner are audited."""
    from commonroom.learning.views import _download

    sub = selectors.submission_file(actor_for(request), submission_id)
    return _download(sub.file, sub.file_name or "homework", sub.file_type)


@router.get("/submissions/{submission_id}/feedback-file", response=DETAIL_ERRORS, openapi_extra=_FILE_RESPONSE,
            summary="Download a hand-in's annotated feedback file")
def feedback_file(request: HttpRequest, submission_id: int = id_in_path()) -> Any:
    """The teacher's annotated file: for those who mark the hand-in, and for the learner and family once the work is
    returned; 404 otherwise, and when there is none. Reads by anyone but the learner are audited."""
    from commonroom.learning.views import _download

    sub = selectors.feedback_file(actor_for(request), submission_id)
    return _download(sub.feedback_file, sub.feedback_file_name or "feedback", sub.feedback_file_type)


@router.post("/assignments/{assignment_id}/feedback-files", response={200: SubmissionOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Attach an annotated feedback file to a learner's work")
def feedback_file_upload(
    request: HttpRequest,
    assignment_id: int = id_in_path(),
    learner_id: int | None = Form(None, ge=1, le=MAX_ID, description="The learner whose work it is (required)"),
    file: UploadedFile | None = File(None, description="The work marked up: a PDF or an image, at most 10 MB"),  # noqa: B008
) -> dict[str, Any]:
    """As multipart/form-data. For those who mark the homework (never anyone barred from the learner); it replaces
    any earlier file and keeps the mark and written feedback. The learner and family get it once the work is
    returned. A missing or refused file answers 422 with the reason, at ``file``."""
    actor = actor_for(request)
    assignment = get_for(actor, Assignment, assignment_id, "manage", queryset=Assignment.objects.select_related("group"))
    missing = {"learner_id": [_("Say whose work it is.")]} if learner_id is None else {}
    if file is None:
        missing["file"] = [_("Attach the file as the multipart field 'file'.")]
    if missing or learner_id is None or file is None:
        raise ValidationError(missing)
    try:
        sub = services.feedback_file_save(actor=actor, assignment=assignment, learner_id=learner_id, upload=file)
    except ValidationError as error:
        raise ValidationError({"file" if k == "feedback_file" else k: v for k, v in error.message_dict.items()}) from None
    return _submission(sub, True)


class HomeworkOut(Schema):
    assignment_id: int
    title: str
    group_name: str
    subject: str
    due_at: datetime.datetime
    expected_minutes: int
    handed_in: bool
    late: bool
    overdue: bool
    returned: bool
    mark: str
    feedback: str
    submission_id: int | None
    has_feedback_file: bool = Field(description="Once returned: GET /submissions/{submission_id}/feedback-file")


@router.get("/learners/{learner_id}/homework", response={200: list[HomeworkOut], **DETAIL_ERRORS},
            summary="Get a learner's homework")
def learner_homework(request: HttpRequest, learner_id: int = id_in_path()) -> list[dict[str, Any]]:
    """Homework set for the learner's groups, newest due first: the learner, their parents and carers (not
    barred), their teachers and the school's leaders. Marks and feedback once returned. Audited."""
    return [{"assignment_id": i.assignment.pk, "title": i.assignment.title, "group_name": i.group_name,
             "subject": i.subject, "due_at": i.due_at, "expected_minutes": i.expected_minutes,
             "handed_in": i.handed_in, "late": i.late, "overdue": i.overdue, "returned": i.returned,
             "mark": i.mark, "feedback": i.feedback, "submission_id": i.submission_id,
             "has_feedback_file": i.has_feedback_file} for i in selectors.homework_for_learner(actor_for(request), learner_id)]
