"""Attendance over the API: registers (read and save), marks (read and correct), and figures.

Scoped exactly as the pages are: every read and write goes through the same selectors and
services, so missing and forbidden both answer 404, and bad input answers 422 naming the
learner or field. A register saved over another device's newer marks answers 409, naming them.
"""


import datetime
from typing import Annotated, Any

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


class ConflictRowOut(Schema):
    learner_id: int
    current_code: str
    current_version: int


class ConflictOut(Schema):
    detail: str
    conflicts: list[ConflictRowOut]


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
    history: list[ChangeOut] | None = Field(None, description="Who changed the mark and why: for staff only")


def _mark_out(mark: AttendanceMark, history: list[Any] | None) -> dict[str, Any]:
    return {
        "id": mark.pk, "learner_id": mark.learner_id, "institution_id": mark.institution_id, "date": mark.date,
        "session": mark.session, "code": mark.code, "category": str(CODES[mark.code].category),
        "explanation": mark.explanation, "minutes_late": mark.minutes_late, "version": mark.version,
        "history": None if history is None else [
            {"at": c.created_at, "by": c.changed_by.full_name if c.changed_by else None, "from_code": c.from_code,
             "to_code": c.to_code, "reason": c.reason, "source": c.source}
            for c in history
        ],
    }


@router.get("/attendance/marks/{mark_id}", response={200: MarkOut, **DETAIL_ERRORS}, summary="Get a mark")
def get_mark(request: HttpRequest, mark_id: int = id_in_path()) -> dict[str, Any]:
    """One attendance mark, with its history for staff. The read is recorded in the audit trail."""
    mark, history = selectors.mark_for(actor_for(request), mark_id)
    return _mark_out(mark, history)


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
    services.mark_amend(actor=actor, mark=mark, code=payload.code, explanation=payload.explanation,
                        reason=payload.reason, seen_version=payload.seen_version,
                        minutes_late=payload.minutes_late, source="office")
    mark, history = selectors.mark_for(actor, mark_id)
    return _mark_out(mark, history)


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
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class AbsenteePageOut(Schema):
    count: int
    items: list[AbsenteeOut]


@router.get("/institutions/{institution_id}/attendance/absentees",
            response={200: AbsenteePageOut, **DETAIL_ERRORS}, summary="Persistent absentees")
def absentees(request: HttpRequest, query: Query[AbsenteeQuery], institution_id: int = id_in_path()) -> dict[str, Any]:
    """Learners who missed 10% (or, with ``severe``, 50%) or more of their possible sessions, most absent first,
    a page at a time. Each learner on the page is recorded as read."""
    start, end = _range(query, institution_id)
    _institution, page = selectors.persistent_absentees(actor_for(request), institution_id, start, end,
                                                        severe_only=query.severe, page_number=query.page,
                                                        per_page=query.page_size)
    return {"count": page.paginator.count, "items": [
        {"learner_id": row.learner.pk, "name": row.learner.person.full_name, "year": row.year,
         "figures": _figures(row.figures)} for row in page.object_list]}


class GroupAttendanceOut(Schema):
    group_id: int
    start: datetime.date
    end: datetime.date
    figures: FiguresOut
    persistent_absentees: int
    severe_absentees: int


@router.get("/groups/{group_id}/attendance", response={200: GroupAttendanceOut, **DETAIL_ERRORS},
            summary="A group's attendance")
def group_attendance(request: HttpRequest, query: Query[RangeQuery], group_id: int = id_in_path()) -> dict[str, Any]:
    """A group's (or a year group's) figures, counting each learner's sessions while they were in it."""
    data = selectors.group_figures(actor_for(request), group_id, query.start, query.end)
    return {"group_id": data.group.pk, "start": data.start, "end": data.end, "figures": _figures(data.figures),
            "persistent_absentees": data.persistent, "severe_absentees": data.severe}


# Behaviour and rewards.


class TimelineOut(Schema):
    date: datetime.date
    kind: str
    category: str
    points: int
    role: str
    severity: str
    note: str
    incident_id: int | None


class TermTotalsOut(Schema):
    term: str
    incident_points: int
    reward_points: int


class LearnerBehaviourOut(Schema):
    learner_id: int
    start: datetime.date
    end: datetime.date
    incident_points: int
    reward_points: int
    terms: list[TermTotalsOut]
    timeline: list[TimelineOut]


@router.get("/learners/{learner_id}/behaviour", response={200: LearnerBehaviourOut, **DETAIL_ERRORS},
            summary="A learner's behaviour and rewards", tags=["behaviour"])
def learner_behaviour(request: HttpRequest, query: Query[RangeQuery], learner_id: int = id_in_path()) -> dict[str, Any]:
    """Incidents (the learner's own part in each) and rewards, newest first, with totals by term. Audited."""
    start, end = _range(query, None)
    data = selectors.learner_behaviour(actor_for(request), learner_id, start, end)
    return {
        "learner_id": data.learner.pk, "start": start, "end": end, "incident_points": data.incident_points,
        "reward_points": data.reward_points,
        "terms": [{"term": f"{t['term'].name} {t['term'].academic_year.name}", "incident_points": t["incident_points"],
                   "reward_points": t["reward_points"]} for t in data.terms],
        "timeline": [{"date": i.when, "kind": i.kind, "category": i.category, "points": i.points, "role": str(i.role),
                      "severity": str(i.severity), "note": i.note, "incident_id": i.incident_id} for i in data.items],
    }


class InvolvedIn(Schema):
    learner_id: int = Field(..., ge=1, le=MAX_ID)
    role: str = Field(..., description="instigator, participant, target or witness")


class IncidentIn(Schema):
    institution_id: int = Field(..., ge=1, le=MAX_ID)
    category_id: int = Field(..., ge=1, le=MAX_ID)
    severity: int = Field(..., ge=1, le=4, description="1 low, 2 moderate, 3 high, 4 serious")
    occurred_at: datetime.datetime
    location: str = Field("", max_length=100)
    description: str = Field(..., max_length=5000)
    action_taken: str = Field("", max_length=5000)
    follow_up_owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    learners: list[InvolvedIn] = Field(..., max_length=60)


class InvolvedOut(Schema):
    learner_id: int
    name: str
    role: str
    points: int


class IncidentOut(Schema):
    id: int
    institution_id: int
    category: str
    severity: int
    occurred_at: datetime.datetime
    location: str
    description: str
    action_taken: str
    follow_up_owner: str | None
    follow_up_done: bool
    learners: list[InvolvedOut]


def _incident_out(incident: Any, involved: list[Any]) -> dict[str, Any]:
    return {
        "id": incident.pk, "institution_id": incident.institution_id, "category": incident.category.name,
        "severity": incident.severity, "occurred_at": incident.occurred_at, "location": incident.location,
        "description": incident.description, "action_taken": incident.action_taken,
        "follow_up_owner": incident.follow_up_owner.full_name if incident.follow_up_owner else None,
        "follow_up_done": incident.follow_up_done,
        "learners": [{"learner_id": r.learner_id, "name": r.learner.person.full_name, "role": r.role, "points": r.points}
                     for r in involved],
    }


def _require_recordable(actor: Any, institution_id: int, learner_ids: list[int]) -> Any:
    """The institution and every learner must be reachable for this actor, or the answer is 404."""
    from commonroom.authz.api import NotFound, visible
    from commonroom.organisations.models import Institution
    from commonroom.people.models import Learner

    institution = get_for(actor, Institution, institution_id)
    found = visible(actor, Learner, "record_behaviour").filter(pk__in=learner_ids).count()
    if found != len(set(learner_ids)):
        raise NotFound()
    return institution


@router.post("/incidents", response={201: IncidentOut, 404: ErrorOut, **WRITE_ERRORS}, summary="Record an incident",
             tags=["behaviour"])
def create_incident(request: HttpRequest, payload: IncidentIn) -> Any:
    """Record an incident with every learner involved and their roles. Learners you may not record for answer 404."""
    actor = actor_for(request)
    institution = _require_recordable(actor, payload.institution_id, [row.learner_id for row in payload.learners])
    incident = services.incident_record(
        actor=actor, institution=institution, category_id=payload.category_id, severity=payload.severity,
        occurred_at=payload.occurred_at, location=payload.location, description=payload.description,
        action_taken=payload.action_taken, follow_up_owner_id=payload.follow_up_owner_id,
        involved=[(row.learner_id, row.role) for row in payload.learners],
    )
    incident, involved = selectors.incident_detail(actor, incident.pk)
    return Status(201, _incident_out(incident, involved))


@router.get("/incidents/{incident_id}", response={200: IncidentOut, **DETAIL_ERRORS}, summary="Get an incident",
            tags=["behaviour"])
def get_incident(request: HttpRequest, incident_id: int = id_in_path()) -> dict[str, Any]:
    incident, involved = selectors.incident_detail(actor_for(request), incident_id)
    return _incident_out(incident, involved)


class RewardIn(Schema):
    institution_id: int = Field(..., ge=1, le=MAX_ID)
    category_id: int = Field(..., ge=1, le=MAX_ID)
    learner_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(..., max_length=200)
    awarded_on: datetime.date = Field(default_factory=today)
    note: str = Field("", max_length=300)


class RewardOut(Schema):
    id: int
    learner_id: int
    category_id: int
    points: int
    awarded_on: datetime.date
    note: str


@router.post("/rewards", response={201: list[RewardOut], 404: ErrorOut, **WRITE_ERRORS}, summary="Give rewards",
             tags=["behaviour"])
def create_rewards(request: HttpRequest, payload: RewardIn) -> Any:
    """Give one reward to one or many learners at once."""
    actor = actor_for(request)
    institution = _require_recordable(actor, payload.institution_id, payload.learner_ids)
    rewards = services.reward_record(actor=actor, institution=institution, category_id=payload.category_id,
                                     learner_ids=payload.learner_ids, awarded_on=payload.awarded_on, note=payload.note)
    return Status(201, [{"id": r.pk, "learner_id": r.learner_id, "category_id": r.category_id, "points": r.points,
                         "awarded_on": r.awarded_on, "note": r.note} for r in rewards])


class CategoryCountOut(Schema):
    kind: str
    category: str
    count: int
    points: int


class InstitutionBehaviourOut(Schema):
    institution_id: int
    start: datetime.date
    end: datetime.date
    by_category: list[CategoryCountOut]
    alerts: list[dict[str, Any]]


@router.get("/institutions/{institution_id}/behaviour", response={200: InstitutionBehaviourOut, **DETAIL_ERRORS},
            summary="An institution's behaviour summary", tags=["behaviour"])
def institution_behaviour(request: HttpRequest, query: Query[RangeQuery], institution_id: int = id_in_path()) -> dict[str, Any]:
    start, end = _range(query, institution_id)
    data = selectors.institution_behaviour(actor_for(request), institution_id, start, end)
    return {"institution_id": data.institution.pk, "start": start, "end": end, "by_category": data.by_category,
            "alerts": [{"learner_id": a.learner.pk, "points": a.points, "incidents": a.incidents} for a in data.alerts]}


# Timetable and lessons.


class SlotOut(Schema):
    id: int
    group_id: int
    group: str
    weekday: int
    cycle_week: int
    period: str
    starts: datetime.time
    ends: datetime.time
    room: str | None


def _slot_out(slot: Any) -> dict[str, Any]:
    return {"id": slot.pk, "group_id": slot.group_id, "group": slot.group.name, "weekday": slot.weekday,
            "cycle_week": slot.cycle_week, "period": slot.period.name, "starts": slot.period.starts,
            "ends": slot.period.ends, "room": slot.room.name if slot.room else None}


class MyTimetableOut(Schema):
    date: datetime.date
    today: list[SlotOut]
    week: list[SlotOut]


class DayQuery(Schema):
    date: datetime.date = Field(default_factory=today)


@router.get("/timetable", response={200: MyTimetableOut, **DETAIL_ERRORS}, summary="Your timetable", tags=["timetable"])
def my_timetable(request: HttpRequest, query: Query[DayQuery]) -> dict[str, Any]:
    """Your lessons on the day, and every lesson you teach in the cycle."""
    data = selectors.my_timetable(actor_for(request), query.date)
    week = [cell for grid in data["weeks"] for row in grid["rows"] for cell in row["cells"] if cell is not None]
    return {"date": query.date, "today": [_slot_out(s) for s in data["today"]], "week": [_slot_out(s) for s in week]}


class LessonRowOut(Schema):
    learner_id: int
    name: str
    status: str | None


class LessonRegisterOut(Schema):
    slot: SlotOut
    date: datetime.date
    runs: bool
    rows: list[LessonRowOut]


def _lesson_out(sheet: Any) -> dict[str, Any]:
    return {"slot": _slot_out(sheet.slot), "date": sheet.day, "runs": sheet.runs,
            "rows": [{"learner_id": roll.learner_id, "name": roll.name, "status": mark.status if mark else None}
                     for roll, mark in sheet.rows]}


@router.get("/lessons/{slot_id}/register", response={200: LessonRegisterOut, **DETAIL_ERRORS},
            summary="Get a lesson register", tags=["timetable"])
def get_lesson_register(request: HttpRequest, query: Query[DayQuery], slot_id: int = id_in_path()) -> dict[str, Any]:
    return _lesson_out(selectors.lesson_sheet(actor_for(request), slot_id, query.date))


class LessonMarkIn(Schema):
    learner_id: int = Field(..., ge=1, le=MAX_ID)
    status: str = Field(..., description="present, late, absent or elsewhere")


class LessonRegisterIn(Schema):
    date: datetime.date
    marks: list[LessonMarkIn] = Field(..., max_length=200)


@router.put("/lessons/{slot_id}/register", response={200: LessonRegisterOut, 404: ErrorOut, **WRITE_ERRORS},
            summary="Save a lesson register", tags=["timetable"])
def save_lesson_register(request: HttpRequest, payload: LessonRegisterIn, slot_id: int = id_in_path()) -> dict[str, Any]:
    """Everyone in the lesson gets a status; the register is saved whole."""
    actor = actor_for(request)
    sheet = selectors.lesson_sheet(actor, slot_id, payload.date)
    services.lesson_register_save(actor=actor, slot=sheet.slot, day=payload.date,
                                  entries=[(m.learner_id, m.status) for m in payload.marks])
    return _lesson_out(selectors.lesson_sheet(actor, slot_id, payload.date))


class MissingOut(Schema):
    learner_id: int
    name: str
    lesson: str
    period: str
    registration_code: str


@router.get("/institutions/{institution_id}/attendance/missing", response={200: list[MissingOut], **DETAIL_ERRORS},
            summary="Missing from lessons today")
def missing_from_lessons(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    """Learners present at registration but absent from a lesson in the same session today."""
    from commonroom.organisations.models import Institution

    actor = actor_for(request)
    institution = get_for(actor, Institution, institution_id, action="view_attendance")
    return [{"learner_id": m.learner.pk, "name": m.learner.person.full_name, "lesson": m.group, "period": m.period,
             "registration_code": m.session_code} for m in selectors.missing_from_lessons(actor, institution, today())]
