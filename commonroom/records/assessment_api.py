"""Assessment and SEN over the API: set-up, marksheets (read and save), progress, and the SEN record.

Scoped exactly as the pages are: the same selectors and services, so missing and forbidden both
answer 404, a bad grade answers 422 naming its cell, and a marksheet saved over someone else's newer
grades answers 409. SEN answers at the caller's level (full, summary for teaching, or what the
school shares with the family), and every read is audited.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonroom.authz.actor import actor_for
from commonroom.common.api_schemas import DETAIL_ERRORS, MAX_ID, WRITE_ERRORS, ErrorOut, id_in_path
from commonroom.records import (
    assessment_selectors,
    assessment_services,
    report_selectors,
    report_services,
    sen_selectors,
)

router = Router(tags=["assessment"])


class GradeOut(Schema):
    value: str
    label: str
    rank: int


class GradeSetOut(Schema):
    id: int
    name: str
    kind: str
    minimum: int | None
    maximum: int | None
    grades: list[GradeOut]


class PointOut(Schema):
    id: int
    name: str
    date: datetime.date
    academic_year: str
    locked: bool
    published: bool


class AspectOut(Schema):
    id: int
    name: str
    kind: str
    subject: str
    grade_set_id: int
    visible_to_families: bool
    allowed: str = Field(description="What a grade may be: the grades best first, or a range of whole numbers")


class SetupOut(Schema):
    grade_sets: list[GradeSetOut]
    points: list[PointOut]
    aspects: list[AspectOut]


def _aspect(aspect: Any, scales: dict[int, assessment_services.Scale]) -> dict[str, Any]:
    return {"id": aspect.pk, "name": aspect.name, "kind": aspect.kind, "subject": aspect.subject,
            "grade_set_id": aspect.grade_set_id, "visible_to_families": aspect.visible_to_families,
            "allowed": scales[aspect.grade_set_id].hint}


def _point(point: Any) -> dict[str, Any]:
    return {"id": point.pk, "name": point.name, "date": point.date, "academic_year": point.academic_year.name,
            "locked": point.locked, "published": point.published}


@router.get("/institutions/{institution_id}/assessment", response={200: SetupOut, **DETAIL_ERRORS},
            summary="Get the assessment set-up")
def get_setup(request: HttpRequest, institution_id: int = id_in_path()) -> dict[str, Any]:
    """Grade sets, assessment points and aspects, for the school's leaders and data managers."""
    setup = assessment_selectors.setup(actor_for(request), institution_id)
    return {
        "grade_sets": [{"id": gs.pk, "name": gs.name, "kind": gs.kind, "minimum": gs.minimum, "maximum": gs.maximum,
                        "grades": [{"value": g.value, "label": g.label, "rank": g.rank} for g in gs.grades.all()]}
                       for gs in setup.grade_sets],
        "points": [_point(p) for p in setup.points],
        "aspects": [_aspect(a, setup.scales) for a in setup.aspects],
    }


class CellOut(Schema):
    aspect_id: int
    value: str | None
    version: int


class MarksheetRowOut(Schema):
    learner_id: int
    name: str
    grades: list[CellOut]


class MarksheetOut(Schema):
    group_id: int
    subject: str
    point: PointOut
    editable: bool
    aspects: list[AspectOut]
    rows: list[MarksheetRowOut]


def _marksheet_out(sheet: assessment_selectors.Marksheet) -> dict[str, Any]:
    return {
        "group_id": sheet.group.pk, "subject": sheet.group.subject, "point": _point(sheet.point), "editable": sheet.editable,
        "aspects": [_aspect(a, sheet.scales) for a in sheet.aspects],
        "rows": [{"learner_id": row.learner_id, "name": row.name,
                  "grades": [{"aspect_id": a.pk, "value": cell.value if cell else None, "version": cell.version if cell else 0}
                             for a in sheet.aspects for cell in [row.cells[a.pk]]]}
                 for row in sheet.rows],
    }


@router.get("/groups/{group_id}/marksheets/{point_id}", response={200: MarksheetOut, **DETAIL_ERRORS},
            summary="Get a marksheet")
def get_marksheet(request: HttpRequest, group_id: int = id_in_path(), point_id: int = id_in_path()) -> dict[str, Any]:
    """A teaching group's grades at an assessment point: its members x the aspects of its subject."""
    return _marksheet_out(assessment_selectors.marksheet(actor_for(request), group_id, point_id))


class CellIn(Schema):
    learner_id: int = Field(..., ge=1, le=MAX_ID)
    aspect_id: int = Field(..., ge=1, le=MAX_ID)
    value: str = Field(..., max_length=20, description="The grade; an empty string clears it")
    seen_version: int = Field(0, ge=0, description="The version you read (0 if there was no grade)")


class MarksheetIn(Schema):
    grades: list[CellIn] = Field(..., max_length=5000)


class MarksheetSaveOut(Schema):
    created: int
    changed: int
    cleared: int
    unchanged: int


class MarksheetConflictOut(Schema):
    detail: str
    cells: dict[str, str]


@router.put("/groups/{group_id}/marksheets/{point_id}",
            response={200: MarksheetSaveOut, 404: ErrorOut, 409: MarksheetConflictOut, **WRITE_ERRORS},
            summary="Save grades on a marksheet")
def save_marksheet(request: HttpRequest, payload: MarksheetIn, group_id: int = id_in_path(),
                   point_id: int = id_in_path()) -> Any:
    """Save some or all of a marksheet's grades, all or nothing. A grade outside its grade set answers 422 naming
    the cell (``g_<learner>_<aspect>``); a grade someone else changed since you read it answers 409."""
    from commonroom.authz.api import NotFound, get_for
    from commonroom.people.models import Group
    from commonroom.records.models import AssessmentPoint

    actor = actor_for(request)
    group = get_for(actor, Group, group_id, "enter_grades")
    point = AssessmentPoint.objects.filter(pk=point_id, institution_id=group.institution_id).first()
    if point is None:
        raise NotFound()
    cells = [assessment_services.Cell(c.learner_id, c.aspect_id, c.value, c.seen_version) for c in payload.grades]
    try:
        result = assessment_services.marksheet_save(actor=actor, group=group, point=point, cells=cells)
    except assessment_services.MarksheetConflict as conflict:
        return Status(409, {"detail": "Some grades changed since you read them. Nothing was saved.", "cells": conflict.cells})
    return {"created": result.created, "changed": result.changed, "cleared": result.cleared, "unchanged": result.unchanged}


class ResultOut(Schema):
    point: str
    point_date: datetime.date
    subject: str
    aspect: str
    kind: str
    value: str


class SubjectProgressOut(Schema):
    subject: str
    latest_grade: str | None
    target: str | None
    predicted: str | None
    status: str = Field(description="above, on, below, no_target, no_grade or not_comparable")


class LearnerProgressOut(Schema):
    learner_id: int
    subjects: list[SubjectProgressOut]
    results: list[ResultOut]


@router.get("/learners/{learner_id}/progress", response={200: LearnerProgressOut, **DETAIL_ERRORS},
            summary="Get a learner's grades and progress against target")
def get_learner_progress(request: HttpRequest, learner_id: int = id_in_path()) -> dict[str, Any]:
    """Learners and families see the aspects the school shares, at published points; staff see every grade."""
    progress = assessment_selectors.learner_progress(actor_for(request), learner_id)
    return {
        "learner_id": progress.learner.pk,
        "subjects": [{"subject": s.subject, "latest_grade": s.attainment.value if s.attainment else None,
                      "target": s.target.value if s.target else None,
                      "predicted": s.predicted.value if s.predicted else None, "status": s.status}
                     for s in progress.subjects],
        "results": [{"point": r.point.name, "point_date": r.point.date, "subject": r.subject, "aspect": r.aspect.name,
                     "kind": r.aspect.kind, "value": r.value} for r in progress.results],
    }


class SubjectSummaryOut(Schema):
    subject: str
    above: int
    on: int
    below: int
    no_target: int
    not_comparable: int


@router.get("/institutions/{institution_id}/progress", response={200: list[SubjectSummaryOut], **DETAIL_ERRORS},
            summary="Get progress against target by subject")
def get_institution_progress(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    _institution, subjects = assessment_selectors.institution_progress(actor_for(request), institution_id)
    return [{"subject": s.subject, **{k: s.counts[k] for k in ("above", "on", "below", "no_target", "not_comparable")}}
            for s in subjects]


# SEN ----------------------------------------------------------------------------------------------

sen_router = Router(tags=["sen"])


class SenReviewOut(Schema):
    due_on: datetime.date
    held_on: datetime.date | None
    outcome: str
    shared_with_family: bool


class SenProvisionOut(Schema):
    description: str
    provider: str
    hours_per_week: float | None
    start_date: datetime.date
    end_date: datetime.date | None


class SenEpisodeOut(Schema):
    status: str
    primary_need: str
    secondary_need: str
    start_date: datetime.date
    end_date: datetime.date | None


class SenRecordOut(Schema):
    institution_id: int
    level: str = Field(description="full, summary (for teaching) or family (what the school shares)")
    status: str = Field(description="N, K (SEN support) or E (EHC plan)")
    status_since: datetime.date | None
    primary_need: str | None
    secondary_need: str | None
    teacher_summary: str | None
    strategies: str | None
    plan_detail: str | None
    family_summary: str | None
    provisions: list[SenProvisionOut]
    reviews: list[SenReviewOut]
    episodes: list[SenEpisodeOut]


def _sen_out(view: sen_selectors.SenView) -> dict[str, Any]:
    record, level = view.record, view.level
    staff = level in (sen_selectors.FULL, sen_selectors.SUMMARY)
    full = level == sen_selectors.FULL
    return {
        "institution_id": record.institution_id, "level": level, "status": record.status,
        "status_since": record.status_since if staff else None,
        "primary_need": record.primary_need if staff else None, "secondary_need": record.secondary_need if staff else None,
        "teacher_summary": record.teacher_summary if staff else None, "strategies": record.strategies if staff else None,
        "plan_detail": record.plan_detail if full else None,
        "family_summary": record.family_summary if (full or level == sen_selectors.FAMILY) else None,
        "provisions": [{"description": p.description, "provider": p.provider,
                        "hours_per_week": float(p.hours_per_week) if p.hours_per_week is not None else None,
                        "start_date": p.start_date, "end_date": p.end_date} for p in view.provisions],
        "reviews": [{"due_on": r.due_on, "held_on": r.held_on, "outcome": r.outcome,
                     "shared_with_family": r.shared_with_family} for r in view.reviews],
        "episodes": [{"status": e.status, "primary_need": e.primary_need, "secondary_need": e.secondary_need,
                      "start_date": e.start_date, "end_date": e.end_date} for e in view.episodes],
    }


@sen_router.get("/learners/{learner_id}/sen", response={200: list[SenRecordOut], **DETAIL_ERRORS},
                summary="Get a learner's SEN record, at your level")
def get_learner_sen(request: HttpRequest, learner_id: int = id_in_path()) -> list[dict[str, Any]]:
    """One entry per school whose SEN record you may read, with only the fields your level allows. Audited."""
    return [_sen_out(view) for view in sen_selectors.learner_sen(actor_for(request), learner_id).records]


class SenRegisterRowOut(Schema):
    learner_id: int
    name: str
    status: str
    primary_need: str
    secondary_need: str
    next_review: datetime.date | None


@sen_router.get("/institutions/{institution_id}/sen-register", response={200: list[SenRegisterRowOut], **DETAIL_ERRORS},
                summary="Get the school's SEN register")
def get_sen_register(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    """Learners on roll with SEN support or an EHC plan: the SENCO, the head and senior leaders. Audited."""
    register = sen_selectors.sen_register(actor_for(request), institution_id)
    return [{"learner_id": row.record.learner_id, "name": row.name, "status": row.record.status,
             "primary_need": row.record.primary_need, "secondary_need": row.record.secondary_need,
             "next_review": row.next_review} for row in register.rows]


# Written reports ----------------------------------------------------------------------------------

reports_router = Router(tags=["reports"])


class CycleOut(Schema):
    id: int
    name: str
    academic_year: str
    deadline: datetime.date
    status: str
    subjects: list[str]
    tutor_section: bool
    head_of_year_section: bool
    point_id: int | None


def _cycle_out(cycle: Any) -> dict[str, Any]:
    return {"id": cycle.pk, "name": cycle.name, "academic_year": cycle.academic_year.name, "deadline": cycle.deadline,
            "status": cycle.status, "subjects": cycle.subjects, "tutor_section": cycle.tutor_section,
            "head_of_year_section": cycle.head_of_year_section, "point_id": cycle.point_id}


@reports_router.get("/institutions/{institution_id}/report-cycles", response={200: list[CycleOut], **DETAIL_ERRORS},
                    summary="List a school's report cycles")
def list_cycles(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    from commonroom.authz.api import get_for
    from commonroom.organisations.models import Institution
    from commonroom.records.models import ReportCycle

    institution = get_for(actor_for(request), Institution, institution_id, "view_reports")
    return [_cycle_out(c) for c in ReportCycle.objects.filter(institution=institution).select_related("academic_year")]


class CycleProgressOut(Schema):
    cycle: CycleOut
    learners: int
    comments: dict[str, int] = Field(description="Comments by status: draft, ready, checked, returned")
    published: int


@reports_router.get("/report-cycles/{cycle_id}", response={200: CycleProgressOut, **DETAIL_ERRORS},
                    summary="Get a report cycle's progress")
def get_cycle(request: HttpRequest, cycle_id: int = id_in_path()) -> dict[str, Any]:
    overview = report_selectors.cycle_overview(actor_for(request), cycle_id)
    return {"cycle": _cycle_out(overview.cycle), "learners": overview.learners, "comments": overview.by_status,
            "published": overview.published}


class CommentOut(Schema):
    learner_id: int
    name: str
    text: str
    preview: str = Field(description="The text with its placeholders filled from the records")
    status: str | None
    return_note: str
    version: int


class CommentsOut(Schema):
    cycle_id: int
    group_id: int
    section: str
    subject: str
    editable: bool
    comments: list[CommentOut]


def _comments_out(sheet: Any) -> dict[str, Any]:
    return {"cycle_id": sheet.cycle.pk, "group_id": sheet.group.pk, "section": sheet.section, "subject": sheet.subject,
            "editable": sheet.editable,
            "comments": [{"learner_id": r.learner_id, "name": r.name, "text": r.comment.text if r.comment else "",
                          "preview": r.preview, "status": r.comment.status if r.comment else None,
                          "return_note": r.comment.return_note if r.comment else "",
                          "version": r.comment.version if r.comment else 0} for r in sheet.rows]}


@reports_router.get("/report-cycles/{cycle_id}/groups/{group_id}/comments", response={200: CommentsOut, **DETAIL_ERRORS},
                    summary="Get a group's report comments")
def get_comments(request: HttpRequest, cycle_id: int = id_in_path(), group_id: int = id_in_path()) -> dict[str, Any]:
    """The comments this person writes for a group: subject comments for a teaching group, tutor comments for a
    registration group, head-of-year comments for a year group."""
    return _comments_out(report_selectors.writing_sheet(actor_for(request), cycle_id, group_id))


class CommentIn(Schema):
    learner_id: int = Field(..., ge=1, le=MAX_ID)
    text: str = Field(..., max_length=3000)
    seen_version: int = Field(0, ge=0)
    ready: bool = Field(False, description="Send for proof-reading")


class CommentsIn(Schema):
    comments: list[CommentIn] = Field(..., max_length=500)


class CommentsSaveOut(Schema):
    created: int
    changed: int
    unchanged: int


@reports_router.put("/report-cycles/{cycle_id}/groups/{group_id}/comments",
                    response={200: CommentsSaveOut, 404: ErrorOut, **WRITE_ERRORS}, summary="Save a group's report comments")
def save_comments(request: HttpRequest, payload: CommentsIn, cycle_id: int = id_in_path(),
                  group_id: int = id_in_path()) -> dict[str, Any]:
    """All or nothing: an unknown placeholder or a comment changed by someone else since you read it answers 422,
    naming the learner (``c_<learner>``)."""
    actor = actor_for(request)
    sheet = report_selectors.writing_sheet(actor, cycle_id, group_id)
    result = report_services.comments_save(
        actor=actor, cycle=sheet.cycle, group=sheet.group,
        entries=[report_services.CommentEntry(c.learner_id, c.text, c.seen_version, c.ready) for c in payload.comments])
    return {"created": result.created, "changed": result.changed, "unchanged": result.unchanged}


class PublishedOut(Schema):
    id: int
    cycle: str
    institution_id: int
    issued_at: datetime.datetime


@reports_router.get("/learners/{learner_id}/reports", response={200: list[PublishedOut], **DETAIL_ERRORS},
                    summary="List a learner's published reports")
def list_learner_reports(request: HttpRequest, learner_id: int = id_in_path()) -> list[dict[str, Any]]:
    _learner, reports = report_selectors.learner_reports(actor_for(request), learner_id)
    return [{"id": r.pk, "cycle": r.cycle.name, "institution_id": r.institution_id, "issued_at": r.issued_at} for r in reports]


class ReportDocumentOut(Schema):
    id: int
    issued_at: datetime.datetime
    document: dict[str, Any] = Field(description="The report as issued, frozen: school, learner, subjects with grades "
                                                 "and comments, pastoral comments")


@reports_router.get("/reports/{report_id}", response={200: ReportDocumentOut, **DETAIL_ERRORS},
                    summary="Get a published report as issued")
def get_report(request: HttpRequest, report_id: int = id_in_path()) -> dict[str, Any]:
    report = report_selectors.published_report(actor_for(request), report_id)
    return {"id": report.pk, "issued_at": report.issued_at, "document": report.document}
