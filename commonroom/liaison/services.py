"""Every write in liaison: parents report absences and ask for changes; the office decides.

Each function takes the acting user, checks with ``authz``, validates before it writes and writes in
one transaction with an audit event. Confirming an absence writes the attendance marks through
``records.services.planned_absence`` (marks changed with history, the register kept consistent):
this app never writes an ``AttendanceMark`` itself.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require
from commonroom.common.dates import today
from commonroom.liaison.models import AbsenceReport, DetailChange
from commonroom.liaison.policies import responsible_for_ids
from commonroom.organisations.models import Institution
from commonroom.people.models import Learner, Person
from commonroom.people.policies import learner_institutions
from commonroom.records import services as records_services
from commonroom.records.calendar import school_days
from commonroom.records.codes import ABSENT_CODES, ATTENDED_CODES, CODES, Session
from commonroom.records.models import AttendanceMark

MAX_NOTE = 500
MAX_DAYS_AHEAD = 366
# Codes the office may confirm a report with: absence codes, less N (not yet established: the report
# establishes it) and U (arrived late: not an absence a parent reports).
CONFIRM_CODES = [code for code in ABSENT_CODES if code not in ("N", "U")]
# What the office is offered first for each reason.
SUGGESTED_CODE: dict[str, str] = {
    AbsenceReport.Reason.ILLNESS: "I",
    AbsenceReport.Reason.MEDICAL: "M",
    AbsenceReport.Reason.RELIGIOUS: "R",
    AbsenceReport.Reason.FAMILY: "C",
    AbsenceReport.Reason.OTHER: "C",
}
MAX_DETAIL = {"email": 254, "phone": 30, "medical_notes": 2000, "dietary_needs": 2000}
PHONE = re.compile(r"^\+?[0-9 ()-]{7,30}$")


# Absence reports ---------------------------------------------------------------------------------


def report_institutions(actor: Actor, learner: Learner) -> list[Institution]:
    """The institutions a parent may report this child absent at: where the child is enrolled or due to join."""
    ids = sorted(learner_institutions(actor, learner.pk, upcoming=True))
    return list(Institution.objects.filter(pk__in=ids).order_by("name"))


def absence_report_create(
    *,
    actor: Actor,
    learner: Learner,
    institution: Institution,
    kind: str,
    sessions: str,
    note: str = "",
    first_date: datetime.date | None = None,
    last_date: datetime.date | None = None,
    reason: str = "",
) -> AbsenceReport:
    """A parent with parental responsibility reports their child ill today, or a planned absence."""
    require(actor, "report_absence", learner)
    if institution.pk not in learner_institutions(actor, learner.pk, upcoming=True):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if kind not in AbsenceReport.Kind.values:
        errors["kind"] = [_("Choose whether your child is ill today or will be absent.")]
    if sessions not in AbsenceReport.Sessions.values:
        errors["sessions"] = [_("Choose all day, the morning or the afternoon.")]
    note = note.strip()
    if len(note) > MAX_NOTE:
        errors["note"] = [_("Keep the note to %(max)s characters.") % {"max": MAX_NOTE}]
    if kind == AbsenceReport.Kind.ILL_TODAY:
        first_date = last_date = today()
        reason = AbsenceReport.Reason.ILLNESS
    elif kind == AbsenceReport.Kind.PLANNED:
        if reason not in AbsenceReport.Reason.values:
            errors["reason"] = [_("Choose the reason for the absence.")]
        elif reason == AbsenceReport.Reason.OTHER and not note:
            errors["note"] = [_("Say what the absence is for.")]
        if first_date is None:
            errors["first_date"] = [_("Enter the first day of the absence.")]
        elif first_date < today():
            errors["first_date"] = [_("The first day must be today or later. For a past absence, phone the school.")]
        elif first_date > today() + datetime.timedelta(days=MAX_DAYS_AHEAD):
            errors["first_date"] = [_("Report an absence at most a year ahead.")]
        if last_date is None:
            last_date = first_date
        if first_date is not None and last_date is not None and last_date < first_date:
            errors["last_date"] = [_("The last day must be the same as or after the first day.")]
        elif first_date is not None and last_date is not None and (last_date - first_date).days > 60:
            errors["last_date"] = [_("Report at most 60 days at a time; for longer, speak to the school.")]
    if (not errors and first_date is not None and last_date is not None
            and not any(True for _d in school_days(institution.pk, first_date, last_date))):
        errors["first_date" if kind == AbsenceReport.Kind.PLANNED else "kind"] = [
            _("There are no school days at %(school)s in that time.") % {"school": institution.name}]
    if errors:
        raise ValidationError(errors)
    assert first_date is not None and last_date is not None
    with transaction.atomic():
        report = AbsenceReport.objects.create(
            institution=institution, learner=learner, reported_by_id=int(actor.person_id or 0), kind=kind, reason=reason,
            first_date=first_date, last_date=last_date, sessions=sessions, note=note,
        )
        audit.record(actor, "liaison.absence_reported", report, learner_id=learner.pk, institution_id=institution.pk,
                     detail={"kind": kind, "reason": reason, "from": first_date.isoformat(), "to": last_date.isoformat(),
                             "sessions": sessions})
    return report


def report_sessions(report: AbsenceReport) -> list[tuple[datetime.date, str]]:
    """The school-day sessions a report covers, in order."""
    sessions = [Session.AM, Session.PM] if report.sessions == AbsenceReport.Sessions.BOTH else [Session(report.sessions)]
    return [(day, str(s)) for day in school_days(report.institution_id, report.first_date, report.last_date)
            for s in sessions]


def present_marks(report: AbsenceReport) -> list[AttendanceMark]:
    """Marks of attendance already recorded for sessions the report covers (the office must see them)."""
    covered = set(report_sessions(report))
    marks = AttendanceMark.objects.filter(
        institution_id=report.institution_id, learner_id=report.learner_id, date__gte=report.first_date,
        date__lte=report.last_date, code__in=ATTENDED_CODES,
    ).order_by("date", "session")
    return [mark for mark in marks if (mark.date, mark.session) in covered]


def _runs(report: AbsenceReport) -> list[tuple[datetime.date, str, datetime.date, str]]:
    """The report as runs of consecutive sessions, each one call of ``planned_absence``."""
    days = [day for day, _s in report_sessions(report)]
    if report.sessions == AbsenceReport.Sessions.BOTH:
        return [(report.first_date, "AM", report.last_date, "PM")] if days else []
    return [(day, report.sessions, day, report.sessions) for day in sorted(set(days))]


def absence_report_confirm(
    *, actor: Actor, report: AbsenceReport, code: str, note: str = "", replace_present: bool = False
) -> AbsenceReport:
    """The office confirms a report with an absence code: the marks are written through the records
    service (changed marks keep their history). Confirming again does nothing more. Sessions already
    marked present are not overwritten unless the office says so (``replace_present``)."""
    require(actor, "decide", report)
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if code not in CONFIRM_CODES:
        errors["code"] = [_("Choose an absence code (for example I for illness or M for a medical appointment).")
                          if code not in CODES else _("%(code)s is not an absence code a report can be confirmed with.")
                          % {"code": code}]
    elif CODES[code].needs_explanation and not note:
        errors["note"] = [_("Code %(code)s needs an explanation.") % {"code": code}]
    if len(note) > MAX_NOTE:
        errors["note"] = [_("Keep the note to %(max)s characters.") % {"max": MAX_NOTE}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = AbsenceReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == AbsenceReport.Status.CONFIRMED:
            return locked  # already done: nothing more is written
        if locked.status == AbsenceReport.Status.DECLINED:
            raise ValidationError({"__all__": [_("This report was declined; it cannot be confirmed now.")]})
        present = present_marks(locked)
        if present and not replace_present:
            raise ValidationError({"replace_present": [
                _("Already marked present: %(sessions)s. Tick the box to replace those marks, or decline the report.")
                % {"sessions": ", ".join(f"{m.date:%a %-d %b} {m.session}" for m in present)}]})
        learner = Learner.objects.select_related("person").get(pk=locked.learner_id)
        institution = Institution.objects.get(pk=locked.institution_id)
        explanation = note or (locked.note if CODES[code].needs_explanation else "")
        written = 0
        for first, first_session, last, last_session in _runs(locked):
            result = records_services.planned_absence(
                actor=actor, learner=learner, institution=institution, first=first, first_session=first_session,
                last=last, last_session=last_session, code=code, explanation=explanation,
            )
            written += result.created + result.changed
        locked.status, locked.code = AbsenceReport.Status.CONFIRMED, code
        locked.decided_by_id, locked.decided_at, locked.decision_note = actor.person_id, timezone.now(), note
        locked.save(update_fields=["status", "code", "decided_by", "decided_at", "decision_note", "updated_at"])
        audit.record(actor, "liaison.absence_confirmed", locked, learner_id=locked.learner_id,
                     institution_id=locked.institution_id, detail={"code": code, "marks": written})
    return locked


def absence_report_decline(*, actor: Actor, report: AbsenceReport, note: str) -> AbsenceReport:
    """The office declines a report, with a note the parent reads. No mark is written."""
    require(actor, "decide", report)
    note = note.strip()
    if not note:
        raise ValidationError({"note": [_("Tell the parent why the report is declined.")]})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [_("Keep the note to %(max)s characters.") % {"max": MAX_NOTE}]})
    with transaction.atomic():
        locked = AbsenceReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == AbsenceReport.Status.DECLINED:
            return locked
        if locked.status == AbsenceReport.Status.CONFIRMED:
            raise ValidationError({"__all__": [_("This report was confirmed; change the marks from the register instead.")]})
        locked.status = AbsenceReport.Status.DECLINED
        locked.decided_by_id, locked.decided_at, locked.decision_note = actor.person_id, timezone.now(), note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
        audit.record(actor, "liaison.absence_declined", locked, learner_id=locked.learner_id,
                     institution_id=locked.institution_id)
    return locked


# Changes of details ------------------------------------------------------------------------------


def _clean_value(field: str, value: str) -> tuple[str, str | None]:
    value = value.strip()
    if len(value) > MAX_DETAIL[field]:
        return value, _("Keep this to %(max)s characters.") % {"max": MAX_DETAIL[field]}
    if field == "email" and value:
        try:
            validate_email(value)
        except ValidationError:
            return value, _("Enter an email address like name@example.org.")
    if field == "phone" and value and not PHONE.match(value):
        return value, _("Enter a phone number using digits, spaces and an optional + at the start, like 07700 900123.")
    if field == "email" and not value:
        return value, _("Enter an email address: the school needs one way to reach you by email.")
    if field == "phone" and not value:
        return value, _("Enter a phone number: the school needs one way to phone you.")
    return value, None


def detail_changes_request(
    *, actor: Actor, values: dict[str, str], learner: Learner | None = None
) -> list[DetailChange]:
    """A parent asks to change their own email and phone (``learner`` None) or a child's medical
    notes and dietary needs. One request per value that differs from the record now; the old value is
    kept with it. Asking again for a field that has a pending request replaces that request."""
    if actor.person_id is None:
        raise NotFound()
    record: Learner | Person
    if learner is not None:
        require(actor, "request_detail_change", learner)
        allowed, record = DetailChange.LEARNER_FIELDS, learner
        person_id = learner.pk
    else:
        if not responsible_for_ids(actor):
            raise NotFound()  # only parents (with a child, not barred) ask the office through this route
        record = Person.objects.get(pk=actor.person_id)
        allowed, person_id = DetailChange.PERSON_FIELDS, actor.person_id
    errors: dict[str, list[str]] = {}
    wanted: dict[str, str] = {}
    for field, raw in values.items():
        if field not in allowed:
            errors[field] = [_("This cannot be changed here.")]
            continue
        value, problem = _clean_value(field, raw)
        if problem:
            errors[field] = [problem]
        elif value != getattr(record, field):
            wanted[field] = value
    if errors:
        raise ValidationError(errors)
    if not wanted:
        raise ValidationError({"__all__": [_("Nothing has changed: change a value before sending.")]})
    created = []
    with transaction.atomic():
        scope = {"learner": learner} if learner is not None else {"learner__isnull": True}
        DetailChange.objects.filter(status=DetailChange.Status.PENDING, person_id=person_id, field__in=list(wanted),
                                    requested_by_id=actor.person_id, **scope).update(
            status=DetailChange.Status.REJECTED, decision_note=_("Replaced by a newer request."), decided_at=timezone.now())
        for field, value in wanted.items():
            change = DetailChange.objects.create(person_id=person_id, learner=learner, field=field,
                                                 old_value=getattr(record, field), new_value=value,
                                                 requested_by_id=actor.person_id)
            audit.record(actor, "liaison.detail_change_requested", change, learner_id=learner.pk if learner else None,
                         detail={"field": field})
            created.append(change)
    return created


def current_value(change: DetailChange) -> str:
    if change.learner_id is not None:
        return str(Learner.objects.filter(pk=change.learner_id).values_list(change.field, flat=True).get())
    return str(Person.objects.filter(pk=change.person_id).values_list(change.field, flat=True).get())


class StaleChange(ValidationError):
    """The record changed after the parent asked: the office must look at it again."""

    def __init__(self, current: str) -> None:
        self.current = current
        super().__init__({"__all__": [_(
            "The record has changed since this request was made: it now says “%(current)s”. Nothing was changed. "
            "Look again, then approve (to replace it with the requested value) or reject.") % {"current": current or "–"}]})


def detail_change_approve(
    *, actor: Actor, change: DetailChange, institution: Institution, note: str = "", seen_current: str | None = None
) -> DetailChange:
    """The office approves: the one record (Person or Learner) is changed, audited, and read everywhere.

    If the record no longer holds the value the parent saw when asking (someone changed it since),
    nothing is changed and ``StaleChange`` says what it holds now; approving again with
    ``seen_current`` equal to that value is a fresh decision and goes through.
    """
    require(actor, "decide", change)
    require(actor, "decide_detail_changes", institution)
    note = note.strip()[:MAX_NOTE]
    with transaction.atomic():
        locked = DetailChange.objects.select_for_update().get(pk=change.pk)
        if locked.status == DetailChange.Status.APPROVED:
            return locked
        if locked.status != DetailChange.Status.PENDING:
            raise ValidationError({"__all__": [_("This request was already decided.")]})
        model = Learner if locked.learner_id is not None else Person
        record = model.objects.select_for_update().get(pk=locked.learner_id or locked.person_id)
        now_value = getattr(record, locked.field)
        if now_value != locked.old_value and now_value != seen_current:
            raise StaleChange(now_value)
        setattr(record, locked.field, locked.new_value)
        record.save(update_fields=[locked.field] + (["updated_at"] if model is Person else []))
        locked.status = DetailChange.Status.APPROVED
        locked.decided_by_id, locked.decided_at, locked.decision_note = actor.person_id, timezone.now(), note
        locked.decided_at_institution = institution
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "decided_at_institution",
                                   "updated_at"])
        audit.record(actor, "liaison.detail_change_approved", locked, learner_id=locked.learner_id,
                     institution_id=institution.pk, detail={"field": locked.field})
        audit.record(actor, f"people.{locked.field}_changed", record, learner_id=locked.learner_id,
                     institution_id=institution.pk, detail={"through": f"liaison.detailchange:{locked.pk}"})
    return locked


def detail_change_reject(*, actor: Actor, change: DetailChange, institution: Institution, note: str) -> DetailChange:
    require(actor, "decide", change)
    require(actor, "decide_detail_changes", institution)
    note = note.strip()
    if not note:
        raise ValidationError({"note": [_("Tell the parent why the change is rejected.")]})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [_("Keep the note to %(max)s characters.") % {"max": MAX_NOTE}]})
    with transaction.atomic():
        locked = DetailChange.objects.select_for_update().get(pk=change.pk)
        if locked.status == DetailChange.Status.REJECTED:
            return locked
        if locked.status != DetailChange.Status.PENDING:
            raise ValidationError({"__all__": [_("This request was already decided.")]})
        locked.status = DetailChange.Status.REJECTED
        locked.decided_by_id, locked.decided_at, locked.decision_note = actor.person_id, timezone.now(), note
        locked.decided_at_institution = institution
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "decided_at_institution",
                                   "updated_at"])
        audit.record(actor, "liaison.detail_change_rejected", locked, learner_id=locked.learner_id,
                     institution_id=institution.pk, detail={"field": locked.field})
    return locked
