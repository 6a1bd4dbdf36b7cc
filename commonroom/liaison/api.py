"""What families send the office to act on (absence reports, changes of details) and the school's uptake figures."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS, ErrorOut, id_in_path
from commonroom.liaison import selectors, services
from commonroom.liaison.models import AbsenceReport, DetailChange

router = Router(tags=["liaison"])


class AbsenceReportIn(Schema):
    institution_id: int = Field(ge=1)
    kind: str = Field(description="ill (ill today) or planned")
    sessions: str = Field("both", description="both, AM or PM")
    reason: str = Field("", description="for a planned absence: medical, religious, family or other")
    first_date: datetime.date | None = Field(None, description="for a planned absence")
    last_date: datetime.date | None = Field(None, description="for a planned absence; empty for one day")
    note: str = Field("", max_length=500)


class AbsenceReportOut(Schema):
    id: int
    learner_id: int
    learner_name: str
    institution_id: int
    kind: str
    reason: str
    first_date: datetime.date
    last_date: datetime.date
    sessions: str
    note: str
    status: str = Field(description="pending, confirmed or declined")
    code: str = Field(description="the code the office confirmed with, or empty")
    decision_note: str


def _report_out(report: AbsenceReport) -> dict[str, Any]:
    return {"id": report.pk, "learner_id": report.learner_id, "learner_name": report.learner.person.full_name,
            "institution_id": report.institution_id, "kind": report.kind, "reason": report.reason,
            "first_date": report.first_date, "last_date": report.last_date, "sessions": report.sessions,
            "note": report.note, "status": report.status, "code": report.code, "decision_note": report.decision_note}


@router.post("/learners/{learner_id}/absence-reports", response={201: AbsenceReportOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Report a child's absence")
def create_absence_report(request: HttpRequest, payload: AbsenceReportIn, learner_id: int = id_in_path()) -> Any:
    """A parent or carer with parental responsibility reports their child ill today, or a planned absence.
    The school office confirms it with a code or declines it; no parent sets a code."""
    actor = actor_for(request)
    learner, institutions = selectors.child_for_absence(actor, learner_id)
    institution = next((i for i in institutions if i.pk == payload.institution_id), None)
    if institution is None:
        raise NotFound()
    report = services.absence_report_create(
        actor=actor, learner=learner, institution=institution, kind=payload.kind, sessions=payload.sessions,
        reason=payload.reason, first_date=payload.first_date, last_date=payload.last_date, note=payload.note)
    report.learner = learner
    return Status(201, _report_out(report))


@router.get("/absence-reports", response={200: list[AbsenceReportOut], **READ_ERRORS}, summary="List your absence reports")
def list_my_absence_reports(request: HttpRequest) -> list[dict[str, Any]]:
    return [_report_out(r) for r in selectors.my_absence_reports(actor_for(request))]


class QueueRowOut(AbsenceReportOut):
    reported_by: str
    already_present: list[str] = Field(description="sessions already marked present, as 'YYYY-MM-DD AM'")
    suggested_code: str


@router.get("/institutions/{institution_id}/absence-reports", response={200: list[QueueRowOut], **DETAIL_ERRORS},
            summary="List absence reports waiting for the office")
def list_absence_queue(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    """Head, senior leaders and office staff of the institution. Audited."""
    queue = selectors.absence_queue(actor_for(request), institution_id)
    return [_report_out(row.report) | {
        "reported_by": row.report.reported_by.full_name, "suggested_code": row.suggested_code,
        "already_present": [f"{m.date.isoformat()} {m.session}" for m in row.present]} for row in queue.pending]


class ConfirmIn(Schema):
    code: str = Field(description="an absence code, for example I, M, R or C")
    note: str = Field("", max_length=500)
    replace_present: bool = Field(False, description="replace sessions already marked present")


class DeclineIn(Schema):
    note: str = Field(max_length=500)


@router.post("/absence-reports/{absence_report_id}/confirm", response={200: AbsenceReportOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Confirm an absence report with a code")
def confirm_absence_report(request: HttpRequest, payload: ConfirmIn, absence_report_id: int = id_in_path()) -> Any:
    """Writes the marks through the attendance service (history kept). Confirming again changes nothing."""
    actor = actor_for(request)
    report = selectors.report_for_decision(actor, absence_report_id)
    report = services.absence_report_confirm(actor=actor, report=report, code=payload.code, note=payload.note,
                                             replace_present=payload.replace_present)
    return _report_out(selectors.report_for_decision(actor, report.pk))


@router.post("/absence-reports/{absence_report_id}/decline", response={200: AbsenceReportOut, 404: ErrorOut, **WRITE_ERRORS},
             summary="Decline an absence report")
def decline_absence_report(request: HttpRequest, payload: DeclineIn, absence_report_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    report = selectors.report_for_decision(actor, absence_report_id)
    services.absence_report_decline(actor=actor, report=report, note=payload.note)
    return _report_out(selectors.report_for_decision(actor, report.pk))


# Changes of details ------------------------------------------------------------------------------


class DetailChangeIn(Schema):
    learner_id: int | None = Field(None, ge=1, description="a child's id for medical_notes or dietary_needs; empty for your own email and phone")
    values: dict[str, str] = Field(description="field -> new value: email, phone (your own), medical_notes, dietary_needs (a child's)")


class DetailChangeOut(Schema):
    id: int
    person_id: int
    learner_id: int | None
    field: str
    old_value: str
    new_value: str
    status: str = Field(description="pending, approved or rejected")
    decision_note: str
    created_at: datetime.datetime


def _change_out(change: DetailChange) -> dict[str, Any]:
    return {"id": change.pk, "person_id": change.person_id, "learner_id": change.learner_id, "field": change.field,
            "old_value": change.old_value, "new_value": change.new_value, "status": change.status,
            "decision_note": change.decision_note, "created_at": change.created_at}


@router.post("/detail-changes", response={201: list[DetailChangeOut], 404: ErrorOut, **WRITE_ERRORS},
             summary="Ask the school office to change details")
def create_detail_changes(request: HttpRequest, payload: DetailChangeIn) -> Any:
    """One request per value that differs from the record now; the office approves or rejects each."""
    actor = actor_for(request)
    learner = None
    if payload.learner_id is not None:
        from commonroom.people.models import Learner

        learner = get_for(actor, Learner, payload.learner_id, action="request_detail_change")
    changes = services.detail_changes_request(actor=actor, values=payload.values, learner=learner)
    return Status(201, [_change_out(c) for c in changes])


@router.get("/detail-changes", response={200: list[DetailChangeOut], **READ_ERRORS}, summary="List your change requests")
def list_my_detail_changes(request: HttpRequest) -> list[dict[str, Any]]:
    return [_change_out(c) for c in selectors.my_detail_changes(actor_for(request))]


class PendingChangeOut(DetailChangeOut):
    current_value: str
    changed_since_asked: bool


@router.get("/institutions/{institution_id}/detail-changes", response={200: list[PendingChangeOut], **DETAIL_ERRORS},
            summary="List change requests waiting for the office")
def list_detail_change_queue(request: HttpRequest, institution_id: int = id_in_path()) -> list[dict[str, Any]]:
    queue = selectors.detail_change_queue(actor_for(request), institution_id)
    return [_change_out(row.change) | {"current_value": row.current, "changed_since_asked": row.stale}
            for row in queue.pending]


class ApproveIn(Schema):
    institution_id: int | None = Field(None, ge=1, description="the school you decide for; empty: your first school that may")
    note: str = Field("", max_length=500)
    seen_current: str | None = Field(None, description="what the record held when you decided, if it had changed since the request")


class RejectIn(Schema):
    institution_id: int | None = Field(None, ge=1, description="the school you decide for; empty: your first school that may")
    note: str = Field(max_length=500)


class StaleOut(Schema):
    detail: str
    current_value: str


@router.post("/detail-changes/{detail_change_id}/approve",
             response={200: DetailChangeOut, 404: ErrorOut, 409: StaleOut, **WRITE_ERRORS}, summary="Approve a change")
def approve_detail_change(request: HttpRequest, payload: ApproveIn, detail_change_id: int = id_in_path()) -> Any:
    """Changes the one record (audited). 409 if the record changed since the request: decide again with
    ``seen_current`` set to the value it holds now."""
    actor = actor_for(request)
    institution, change, _current = selectors.change_for_decision(actor, payload.institution_id, detail_change_id)
    try:
        change = services.detail_change_approve(actor=actor, change=change, institution=institution, note=payload.note,
                                                seen_current=payload.seen_current)
    except services.StaleChange as stale:
        return Status(409, {"detail": stale.messages[0], "current_value": stale.current})
    return _change_out(change)


@router.post("/detail-changes/{detail_change_id}/reject",
             response={200: DetailChangeOut, 404: ErrorOut, **WRITE_ERRORS}, summary="Reject a change")
def reject_detail_change(request: HttpRequest, payload: RejectIn, detail_change_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    institution, change, _current = selectors.change_for_decision(actor, payload.institution_id, detail_change_id)
    return _change_out(services.detail_change_reject(actor=actor, change=change, institution=institution, note=payload.note))


# Uptake ------------------------------------------------------------------------------------------


class YearUptakeOut(Schema):
    label: str
    nc_year: int | None
    learners: int
    contacts: int
    accounts: int
    active_30_days: int
    reports_issued: int
    reports_read: int
    messages_sent: int
    messages_read: int


class ParentUptakeOut(Schema):
    person_id: int
    name: str
    children: list[str]
    years: list[str]
    has_account: bool
    activated: bool
    last_login: datetime.datetime | None
    reports_issued: int
    reports_read: list[str]
    messages_received: int
    messages_read: int


class UptakeOut(Schema):
    institution_id: int
    on: datetime.date
    years: list[YearUptakeOut]
    total: YearUptakeOut
    parents: list[ParentUptakeOut]


def _year_out(year: selectors.YearUptake) -> dict[str, Any]:
    return {"label": year.label, "nc_year": year.nc_year, "learners": year.learners, "contacts": year.contacts,
            "accounts": year.accounts, "active_30_days": year.active_30_days, "reports_issued": year.reports_issued,
            "reports_read": year.reports_read, "messages_sent": year.messages_sent, "messages_read": year.messages_read}


@router.get("/institutions/{institution_id}/parents/uptake", response={200: UptakeOut, **DETAIL_ERRORS},
            summary="Get the school's parent uptake figures")
def get_uptake(request: HttpRequest, institution_id: int = id_in_path()) -> dict[str, Any]:
    """Head, senior leaders and office staff of the institution."""
    figures = selectors.uptake_figures(actor_for(request), institution_id)
    return {"institution_id": figures.institution_id, "on": figures.on, "years": [_year_out(y) for y in figures.years],
            "total": _year_out(figures.total),
            "parents": [{"person_id": p.person_id, "name": p.name, "children": p.children, "years": p.years,
                         "has_account": p.has_account, "activated": p.activated, "last_login": p.last_login,
                         "reports_issued": p.reports_issued, "reports_read": p.reports_read,
                         "messages_received": p.messages_received, "messages_read": p.messages_read}
                        for p in figures.parents]}


