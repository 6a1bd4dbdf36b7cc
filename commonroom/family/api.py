"""The parent portal over the API: a child's summary (the child page as JSON), school events, the calendar address.

Scoped exactly as the pages are (the same selectors and services): missing and forbidden both answer 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, WRITE_ERRORS, id_in_path
from commonroom.family import selectors, services
from commonroom.family.models import Event

router = Router(tags=["family"])


class TodayMarkOut(Schema):
    session: str
    code: str
    meaning: str
    category: str


class WeekOut(Schema):
    week: datetime.date
    possible: int
    attended: int
    attendance_pct: Decimal | None


class AttendanceOut(Schema):
    today: list[TodayMarkOut]
    term: str | None
    term_start: datetime.date | None
    possible: int
    attended: int
    attendance_pct: Decimal | None
    weeks: list[WeekOut]


class BehaviourOut(Schema):
    date: datetime.date
    kind: str = Field(description="incident or reward")
    category: str
    points: int
    role: str
    severity: str
    note: str


class SubjectOut(Schema):
    subject: str
    latest: str | None
    latest_point: str | None
    target: str | None
    status: str


class SenOut(Schema):
    family_summary: str
    reviews: list[dict[str, Any]]


class ReportOut(Schema):
    id: int
    name: str
    issued_at: datetime.datetime
    html_url: str
    pdf_url: str


class EventOut(Schema):
    id: int
    institution_id: int
    title: str
    description: str
    all_day: bool
    start_date: datetime.date
    end_date: datetime.date
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    whole_school: bool
    group_ids: list[int]
    published: bool


class ChildEventOut(Schema):
    id: int
    title: str
    description: str
    all_day: bool
    start_date: datetime.date
    end_date: datetime.date
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None


class ChildHomeworkOut(Schema):
    subject: str = Field(description="The subject, or the class's name where it has none")
    title: str
    due_at: datetime.datetime
    expected_minutes: int
    status: str = Field(description="As the page words it: To do, Handed in, Handed in late, Overdue: not handed in, "
                                    "Returned")
    handed_in: bool
    late: bool
    returned: bool
    mark: str | None = Field(description="Only once the work is returned (null before)")
    mark_out_of: int | None


class SchoolOut(Schema):
    institution_id: int
    name: str
    address: str
    phone: str
    email: str
    website: str
    contact_note: str
    year_group: str | None
    registration_group: str | None
    form_tutors: list[str]
    attendance: AttendanceOut
    behaviour: list[BehaviourOut]
    progress: list[SubjectOut]
    sen: SenOut | None
    reports: list[ReportOut]
    events: list[ChildEventOut]
    homework: list[ChildHomeworkOut] = Field(description="Homework due in the fortnight either side of today, as on the page")


class ChildOut(Schema):
    learner_id: int
    name: str
    schools: list[SchoolOut]


class ChildRefOut(Schema):
    learner_id: int
    name: str
    institutions: list[str]


def _event_out(event: Event, group_ids: list[int] | None = None) -> dict[str, Any]:
    return {
        "id": event.pk, "institution_id": event.institution_id, "title": event.title, "description": event.description,
        "all_day": event.all_day, "start_date": event.start_date, "end_date": event.end_date, "starts_at": event.starts_at,
        "ends_at": event.ends_at, "whole_school": event.whole_school,
        "group_ids": group_ids if group_ids is not None else sorted(g.pk for g in event.groups.all()),
        "published": event.published,
    }


def _school_out(section: selectors.SchoolSection) -> dict[str, Any]:
    contact = section.contact
    figures = section.term_figures
    return {
        "institution_id": section.institution.pk, "name": section.institution.name,
        "address": contact.address if contact else "", "phone": contact.phone if contact else "",
        "email": contact.email if contact else "", "website": contact.website if contact else "",
        "contact_note": contact.note if contact else "",
        "year_group": section.year_group.name if section.year_group else None,
        "registration_group": section.registration_group.name if section.registration_group else None,
        "form_tutors": [row.person.full_name for row in section.form_tutors],
        "attendance": {
            "today": [{"session": m.session, "code": m.code, "meaning": m.meaning, "category": m.category}
                      for m in section.today_marks],
            "term": section.term.name if section.term else None,
            "term_start": section.term.start_date if section.term else None,
            "possible": figures.possible, "attended": figures.attended, "attendance_pct": figures.attendance_pct,
            "weeks": [{"week": w["week"], "possible": w["figures"].possible, "attended": w["figures"].attended,
                       "attendance_pct": w["figures"].attendance_pct} for w in section.weeks],
        },
        "behaviour": [{"date": i.when, "kind": i.kind, "category": i.category, "points": i.points, "role": i.role,
                       "severity": i.severity, "note": i.note} for i in section.behaviour],
        "progress": [{"subject": s.subject, "latest": s.attainment.value if s.attainment else None,
                      "latest_point": s.attainment.point.name if s.attainment else None,
                      "target": s.target.value if s.target else None, "status": s.status} for s in section.subjects],
        "sen": {"family_summary": section.sen.family_summary,
                "reviews": [{"held_on": r.held_on, "outcome": r.outcome} for r in section.sen_reviews]}
        if section.sen else None,
        "reports": [{"id": r.pk, "name": r.cycle.name, "issued_at": r.issued_at, "html_url": f"/reports/{r.pk}/",
                     "pdf_url": f"/reports/{r.pk}/?format=pdf"} for r in section.reports],
        "events": [{"id": e.pk, "title": e.title, "description": e.description, "all_day": e.all_day,
                    "start_date": e.start_date, "end_date": e.end_date, "starts_at": e.starts_at, "ends_at": e.ends_at}
                   for e in section.events],
        "homework": [{"subject": h.subject or h.group_name, "title": h.assignment.title, "due_at": h.due_at,
                      "expected_minutes": h.expected_minutes, "status": str(h.status), "handed_in": h.handed_in,
                      "late": h.late, "returned": h.returned, "mark": h.mark if h.returned else None,
                      "mark_out_of": h.mark_out_of} for h in section.homework],
    }


@router.get("/children", response={200: list[ChildRefOut], **DETAIL_ERRORS}, summary="List your children")
def list_children(request: HttpRequest) -> list[dict[str, Any]]:
    """The children you are a parent or carer of (barred and ended links left out), with their schools."""
    return [{"learner_id": p.learner.pk, "name": p.learner.person.full_name, "institutions": [i.name for i in p.institutions]}
            for p in selectors.my_children(actor_for(request))]


@router.get("/children/{learner_id}", response={200: ChildOut, **DETAIL_ERRORS}, summary="Get a child's summary")
def get_child(request: HttpRequest, learner_id: int = id_in_path()) -> dict[str, Any]:
    """The child page as JSON, school by school: what the family sees. Audited as a read."""
    page = selectors.child_page(actor_for(request), learner_id)
    return {"learner_id": page.learner.pk, "name": page.learner.person.full_name,
            "schools": [_school_out(section) for section in page.schools]}


class EventIn(Schema):
    title: str = Field(max_length=200)
    description: str = Field("", max_length=4000)
    all_day: bool = True
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    whole_school: bool = True
    group_ids: list[int] = Field(default_factory=list, max_length=500)
    published: bool = False


@router.get("/institutions/{institution_id}/events", response={200: list[EventOut], **DETAIL_ERRORS},
            summary="List a school's events")
def list_events(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    """Every event of the school, drafts included: for those who work there."""
    _institution, rows, _may_manage = selectors.institution_events(actor_for(request), institution_id)
    return [_event_out(event) for event in rows]


@router.post("/institutions/{institution_id}/events", response={201: EventOut, **DETAIL_ERRORS, **WRITE_ERRORS},
             summary="Add an event")
def create_event(request: HttpRequest, payload: EventIn, institution_id: int = id_in_path()) -> Any:
    """The head, senior leaders and office staff add events for the whole school or chosen groups."""
    actor = actor_for(request)
    institution = selectors.managed_institution(actor, institution_id)
    event = services.event_create(actor=actor, institution=institution, **payload.dict())
    return Status(201, _event_out(event))


@router.put("/events/{event_id}", response={200: EventOut, **DETAIL_ERRORS, **WRITE_ERRORS}, summary="Change an event")
def update_event(request: HttpRequest, payload: EventIn, event_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    event = get_for(actor, Event, event_id, "manage", queryset=Event.objects.select_related("institution"))
    return _event_out(services.event_update(actor=actor, event=event, **payload.dict()))


@router.delete("/events/{event_id}", response={204: None, **DETAIL_ERRORS, **WRITE_ERRORS}, summary="Delete an event")
def delete_event(request: HttpRequest, event_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    services.event_delete(actor=actor, event=get_for(actor, Event, event_id, "manage"))
    return Status(204, None)


class FeedOut(Schema):
    url: str = Field(description="The private calendar address. Shown this once: only a hash is kept.")
    created_at: datetime.datetime


@router.post("/calendar-feed", response={201: FeedOut, **WRITE_ERRORS}, summary="Make your calendar address")
def create_feed(request: HttpRequest) -> Any:
    """A new private iCalendar address for you; any earlier one stops working."""
    feed, token = services.feed_create(actor=actor_for(request))
    return Status(201, {"url": request.build_absolute_uri(f"/calendar/{token}.ics"), "created_at": feed.created_at})


@router.delete("/calendar-feed", response={204: None, **DETAIL_ERRORS, **WRITE_ERRORS}, summary="Turn off your calendar address")
def revoke_feed(request: HttpRequest) -> Any:
    """Your calendar address stops working. 404 if you have none."""
    from commonroom.authz.api import NotFound

    if not services.feed_revoke(actor=actor_for(request)):
        raise NotFound()
    return Status(204, None)
