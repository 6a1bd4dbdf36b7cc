"""Attendance over the API: registers (read and save), marks (read and correct), and figures.

Scoped exactly as the pages are: every read and write goes through the same selectors and
services, so missing and forbidden both answer 404, and bad input answers 422 naming the
learner or field. A register saved over another device's newer marks answers 409, naming them.
"""


import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import (
    DETAIL_ERRORS,
    MAX_ID,
    WRITE_ERRORS,
    ErrorOut,
    id_in_path,
    paginated,
)
from commonroom.common.dates import today
from commonroom.records import selectors, services
from commonroom.records.codes import CODES, Session
from commonroom.records.models import AttendanceMark

router = Router(tags=["attendance"])


class FiguresOut(Schema):
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    absent: int
    attendance_pct: float | None
    absence_pct: float | None
    persistent_absence: bool
    severe_absence: bool


def _figures(figures: selectors.Figures) -> dict[str, Any]:
    out = figures.as_dict()
    for key in ("attendance_pct", "absence_pct"):
        out[key] = float(out[key]) if out[key] is not None else None
    return out


class RangeQuery(Schema):
    start: datetime.date | None = Field(None, description="First day (default: the start of the academic year)")
    end: datetime.date | None = Field(None, description="Last day (default: today)")


def _range(query: RangeQuery, institution_id: int | None) -> tuple[datetime.date, datetime.date]:
    start, end = selectors.default_range(institution_id, today())
    return query.start or start, query.end or end


# Registers.


class RegisterQuery(Schema):
    date: datetime.date = Field(default_factory=today, description="The day (default: today)")
    session: Session = Field(Session.AM, description="AM or PM")


class RegisterRowOut(Schema):
    learner_id: int
    name: str
    prospective: bool
    mark_id: int | None
    code: str | None
    explanation: str
    version: int


class RegisterOut(Schema):
    group_id: int
    date: datetime.date
    session: str
    taken: bool
    rows: list[RegisterRowOut]


def _register_out(sheet: selectors.RegisterSheet) -> dict[str, Any]:
    return {
        "group_id": sheet.group.pk, "date": sheet.day, "session": sheet.session, "taken": sheet.register is not None,
        "rows": [
            {"learner_id": r.roll.learner_id, "name": r.roll.name, "prospective": r.roll.prospective,
             "mark_id": r.mark.pk if r.mark else None, "code": r.mark.code if r.mark else None,
             "explanation": r.mark.explanation if r.mark else "", "version": r.mark.version if r.mark else 0}
            for r in sheet.rows
        ],
    }


@router.get("/groups/{group_id}/register", response={200: RegisterOut, **DETAIL_ERRORS}, summary="Get a register")
def get_register(request: HttpRequest, query: Query[RegisterQuery], group_id: int = id_in_path()) -> dict[str, Any]:
    """The statutory register of a registration group for a day and session: everyone on roll, with their marks."""
    return _register_out(selectors.register_sheet(actor_for(request), group_id, query.date, query.session))


class MarkIn(Schema):
    learner_id: int = Field(..., ge=1, le=MAX_ID)
    code: str = Field(..., max_length=2, description="An attendance code in force from 19 August 2024")
    explanation: str = Field("", max_length=500)
    minutes_late: int | None = Field(None, ge=0, le=600)
    seen_version: int = Field(0, ge=0, description="The mark's version when you read it (0: no mark)")


class RegisterIn(Schema):
    date: datetime.date
    session: Session
    marks: list[MarkIn] = Field(..., max_length=500)


class SaveOut(Schema):
    created: int
    changed: int
    unchanged: int
    sheet: RegisterOut


class ConflictOut(Schema):
    detail: str
    conflicts: list[dict[str, Any]]


@router.put(
    "/groups/{group_id}/register",
    response={200: SaveOut, 404: ErrorOut, 409: ConflictOut, **WRITE_ERRORS},
    summary="Save a register",
)
def save_register(request: HttpRequest, payload: RegisterIn, group_id: int = id_in_path()) -> Any:
    """Save marks for a register in one go. A mark changed by someone else since your ``seen_version`` answers
    409 with the learners concerned, and nothing is saved."""
    actor = actor_for(request)
    sheet = selectors.register_sheet(actor, group_id, payload.date, payload.session)
    entries = [services.MarkEntry(m.learner_id, m.code, m.explanation, m.minutes_late, m.seen_version) for m in payload.marks]
    try:
        result = services.register_save(actor=actor, group=sheet.group, day=payload.date, session=payload.session,
                                         entries=entries, source="api")
    except services.RegisterConflict as conflict:
        return Status(409, {
            "detail": " ".join(conflict.messages),
            "conflicts": [{"learner_id": c.learner_id, "current_code": c.theirs, "current_version": c.version}
                          for c in conflict.conflicts],
        })
    fresh = selectors.register_sheet(actor, group_id, payload.date, payload.session)
    return {"created": result.created, "changed": result.changed, "unchanged": result.unchanged,
            "sheet": _register_out(fresh)}


# Marks.


class ChangeOut(Schema):
    at: datetime.datetime
    by: str | None
    from_code: str
    to_code: str
    reason: str
    source: str


class MarkOut(Schema):
    id: int
    learner_id: int
    institution_id: int
    date: datetime.date
    session: str
    code: str
    category: str
    explanation: str
    minutes_late: int | None
    version: int
    history: list[ChangeOut]


def _mark_out(mark: AttendanceMark) -> dict[str, Any]:
    return {
        "id": mark.pk, "learner_id": mark.learner_id, "institution_id": mark.institution_id, "date": mark.date,
        "session": mark.session, "code": mark.code, "category": str(CODES[mark.code].category),
        "explanation": mark.explanation, "minutes_late": mark.minutes_late, "version": mark.version,
        "history": [
            {"at": c.created_at, "by": c.changed_by.full_name if c.changed_by else None, "from_code": c.from_code,
             "to_code": c.to_code, "reason": c.reason, "source": c.source}
            for c in selectors.mark_history(mark)
        ],
    }


@router.get("/attendance/marks/{mark_id}", response={200: MarkOut, **DETAIL_ERRORS}, summary="Get a mark")
def get_mark(request: HttpRequest, mark_id: int = id_in_path()) -> dict[str, Any]:
    """One attendance mark with its whole history."""
    return _mark_out(get_for(actor_for(request), AttendanceMark, mark_id))


class AmendIn(Schema):
    code: str = Field(..., max_length=2)
    explanation: str = Field("", max_length=500)
    minutes_late: int | None = Field(None, ge=0, le=600)
    reason: str = Field(..., max_length=500)
    seen_version: int = Field(..., ge=0)


@router.post("/attendance/marks/{mark_id}/amend", response={200: MarkOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Correct a mark")
def amend_mark(request: HttpRequest, payload: AmendIn, mark_id: int = id_in_path()) -> Any:
    """Attendance staff correct a mark (for example N to a final code), giving a reason; the history keeps the old one."""
    actor = actor_for(request)
    mark = get_for(actor, AttendanceMark, mark_id, action="amend")
    mark = services.mark_amend(actor=actor, mark=mark, code=payload.code, explanation=payload.explanation,
                               reason=payload.reason, seen_version=payload.seen_version,
                               minutes_late=payload.minutes_late, source="api")
    return _mark_out(mark)


# Figures.


class EnrolmentFiguresOut(Schema):
    institution_id: int
    enrolment_id: int
    figures: FiguresOut


class LearnerAttendanceOut(Schema):
    learner_id: int
    start: datetime.date
    end: datetime.date
    enrolments: list[EnrolmentFiguresOut]


@router.get("/learners/{learner_id}/attendance", response={200: LearnerAttendanceOut, **DETAIL_ERRORS},
            summary="A learner's attendance")
def learner_attendance(request: HttpRequest, query: Query[RangeQuery], learner_id: int = id_in_path()) -> dict[str, Any]:
    """Sessions possible, attended, authorised and unauthorised absence, per enrolment, for a date range. Audited."""
    start, end = _range(query, None)
    data = selectors.learner_attendance(actor_for(request), learner_id, start, end)
    return {"learner_id": data.learner.pk, "start": start, "end": end, "enrolments": [
        {"institution_id": e.institution.pk, "enrolment_id": e.enrolment.pk, "figures": _figures(e.figures)}
        for e in data.enrolments
    ]}


class InstitutionAttendanceOut(Schema):
    institution_id: int
    start: datetime.date
    end: datetime.date
    figures: FiguresOut
    persistent_absentees: int
    severe_absentees: int
    outstanding_n: int


@router.get("/institutions/{institution_id}/attendance", response={200: InstitutionAttendanceOut, **DETAIL_ERRORS},
            summary="An institution's attendance")
def institution_attendance(request: HttpRequest, query: Query[RangeQuery], institution_id: int = id_in_path()) -> dict[str, Any]:
    start, end = _range(query, institution_id)
    data = selectors.institution_attendance(actor_for(request), institution_id, start, end)
    return {"institution_id": data.institution.pk, "start": start, "end": end, "figures": _figures(data.figures),
            "persistent_absentees": data.persistent, "severe_absentees": data.severe, "outstanding_n": data.outstanding_n}


class AbsenteeOut(Schema):
    learner_id: int
    name: str
    year: str
    figures: FiguresOut


class AbsenteeQuery(RangeQuery):
    severe: bool = Field(False, description="Only severe absentees (50% or more)")


@router.get("/institutions/{institution_id}/attendance/absentees",
            response={200: list[AbsenteeOut], **DETAIL_ERRORS}, summary="Persistent absentees")
@paginated
def absentees(request: HttpRequest, query: Query[AbsenteeQuery], institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    """Learners who missed 10% (or, with ``severe``, 50%) or more of their possible sessions, most absent first."""
    start, end = _range(query, institution_id)
    _institution, page = selectors.persistent_absentees(actor_for(request), institution_id, start, end,
                                                        severe_only=query.severe, per_page=10_000)
    return [{"learner_id": row.learner.pk, "name": row.learner.person.full_name, "year": row.year,
             "figures": _figures(row.figures)} for row in page.object_list]
