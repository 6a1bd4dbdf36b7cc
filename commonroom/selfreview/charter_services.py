"""Every write of the Charter: commitment, recognition (asked and confirmed), the assessor's visit, reminders.

Each step is a ``CharterRecord`` row, audited in the same transaction, never changed afterwards: the
history page lists them with who recorded them and when. ``charter.current_stage`` reads them.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import require
from commonroom.authz.models import ROLE_MANAGERS, RoleAssignment
from commonroom.common.dates import in_force, today
from commonroom.organisations.models import Institution
from commonroom.selfreview import charter
from commonroom.selfreview.models import CharterRecord, CharterReminder, CharterStage, RecognitionRequest

log = logging.getLogger(__name__)


def charter_commit(*, actor: Actor, institution: Institution, notes: str = "", on: datetime.date | None = None) -> CharterRecord:
    """A head or senior leader records the institution's commitment to the Charter (once)."""
    require(actor, "commit_to_charter", institution)
    assert actor.person_id is not None
    with transaction.atomic():
        Institution.objects.select_for_update().filter(pk=institution.pk).first()
        if CharterRecord.objects.filter(institution=institution, stage=CharterStage.COMMITTED).exists():
            raise ValidationError(_("The commitment is already recorded."))
        record = CharterRecord.objects.create(institution=institution, stage=CharterStage.COMMITTED, recorded_by_id=actor.person_id,
                                              recorded_on=on or today(), notes=(notes or "").strip()[:2000])
        audit.record(actor, "selfreview.charter.commit", record, institution_id=institution.pk)
    return record


def recognition_request(*, actor: Actor, institution: Institution, note: str = "", on: datetime.date | None = None) -> RecognitionRequest:
    """A leader asks the authority to confirm the Recognised stage, on the latest completed review."""
    require(actor, "commit_to_charter", institution)
    assert actor.person_id is not None
    if institution.local_authority_id is None:
        raise ValidationError(_("Recognition is confirmed by a local-authority adviser, and this institution has no authority."))
    status = charter.charter_status(institution.pk, on)
    if not status.may_request_recognition:
        raise ValidationError(" ".join(status.reasons) or _("The institution is not eligible for recognition now."))
    assert status.review is not None
    with transaction.atomic():
        Institution.objects.select_for_update().filter(pk=institution.pk).first()
        if RecognitionRequest.objects.filter(institution=institution, status=RecognitionRequest.Status.PENDING).exists():
            raise ValidationError(_("A request is already waiting for the authority."))
        request = RecognitionRequest.objects.create(institution=institution, review=status.review, requested_by_id=actor.person_id,
                                                    requested_on=on or today(), note=(note or "").strip()[:2000])
        audit.record(actor, "selfreview.charter.request", request, institution_id=institution.pk,
                     detail={"review": status.review.pk})
    return request


def recognition_decide(*, actor: Actor, request: RecognitionRequest, confirm: bool, adviser_reference: str,
                       note: str = "", on: datetime.date | None = None) -> RecognitionRequest:
    """An officer of the authority confirms (with the adviser's reference) or declines a request."""
    institution = request.institution
    require(actor, "confirm_charter", institution)
    assert actor.person_id is not None
    reference = (adviser_reference or "").strip()
    if confirm and not reference:
        raise ValidationError({"adviser_reference": _("Enter the adviser's reference for the recognition.")})
    if len(reference) > 100:
        raise ValidationError({"adviser_reference": _("The reference can be up to 100 characters.")})
    day = on or today()
    with transaction.atomic():
        updated = RecognitionRequest.objects.filter(pk=request.pk, status=RecognitionRequest.Status.PENDING).update(
            status=RecognitionRequest.Status.CONFIRMED if confirm else RecognitionRequest.Status.DECLINED,
            decided_by_id=actor.person_id, decided_on=day)
        if not updated:
            raise ValidationError(_("This request has already been decided."))
        if confirm:
            record = CharterRecord.objects.create(
                institution_id=institution.pk, stage=CharterStage.RECOGNISED, review_id=request.review_id,
                recorded_by_id=actor.person_id, recorded_on=day, adviser_reference=reference, notes=(note or "").strip()[:2000])
            audit.record(actor, "selfreview.charter.recognise", record, institution_id=institution.pk,
                         detail={"reference": reference, "review": request.review_id})
        else:
            audit.record(actor, "selfreview.charter.decline", request, institution_id=institution.pk)
        request.refresh_from_db()
    return request


def charter_visit(*, actor: Actor, institution: Institution, stage: str, visit_date: datetime.date, awarded: bool,
                  notes: str = "", on: datetime.date | None = None) -> CharterRecord:
    """An assessor of the authority records a visit for the ICT Mark (or the Excellence stage) and its
    outcome. An award needs the data to support it; a "not yet" is recorded whatever the data."""
    require(actor, "assess_charter", institution)
    assert actor.person_id is not None
    day = on or today()
    if stage not in (CharterStage.ICT_MARK, CharterStage.EXCELLENCE):
        raise ValidationError({"stage": _("An assessor records the ICT Mark or the Excellence stage.")})
    if visit_date > day:
        raise ValidationError({"visit_date": _("The visit date cannot be in the future.")})
    if visit_date < day - datetime.timedelta(days=365):
        raise ValidationError({"visit_date": _("Record a visit within a year of it.")})
    status = charter.charter_status(institution.pk, day)
    if awarded:
        if stage == CharterStage.ICT_MARK and not status.may_record_mark:
            raise ValidationError(" ".join(status.reasons) or _("The ICT Mark needs the Recognised stage and every element at the threshold."))
        if stage == CharterStage.EXCELLENCE and not status.may_record_excellence:
            raise ValidationError(" ".join(status.reasons) or _("The institution does not meet the Excellence criteria."))
    if stage == CharterStage.EXCELLENCE and status.mark is not None:
        expires = status.mark.expires_on  # Excellence lasts as long as the Mark it builds on
    else:
        expires = charter.mark_expiry(visit_date)
    with transaction.atomic():
        record = CharterRecord.objects.create(
            institution=institution, stage=stage, outcome=CharterRecord.Outcome.AWARDED if awarded else CharterRecord.Outcome.NOT_YET,
            review=status.review, recorded_by_id=actor.person_id, recorded_on=day, visit_date=visit_date,
            expires_on=expires if awarded else None, notes=(notes or "").strip()[:2000])
        audit.record(actor, "selfreview.charter.visit", record, institution_id=institution.pk,
                     detail={"stage": stage, "awarded": awarded, "visit": visit_date.isoformat()})
    return record


# --- Reminders before the ICT Mark lapses -------------------------------------------------------


def _leaders_emails(institution_id: int, on: datetime.date) -> list[str]:
    from commonroom.people.models import Person

    ids = RoleAssignment.objects.filter(in_force(on=on), institution_id=institution_id, role__in=list(ROLE_MANAGERS)).values("person_id")
    return sorted({email for email in Person.objects.filter(pk__in=ids).values_list("email", flat=True) if email})


def send_reminders(*, on: datetime.date | None = None, days: tuple[int, ...] = charter.REMINDER_DAYS) -> int:
    """Email the head and senior leaders of each institution whose ICT Mark lapses within ``days``
    (90 and 30 days by default). One ``CharterReminder`` row per mark and lead time, inserted before the
    email goes: running twice sends nothing twice. Returns how many reminders were sent."""
    day = on or today()
    sent = 0
    furthest = day + datetime.timedelta(days=max(days))
    marks = list(CharterRecord.objects.filter(stage=CharterStage.ICT_MARK, outcome=CharterRecord.Outcome.AWARDED,
                                              expires_on__gte=day, expires_on__lte=furthest).select_related("institution"))
    for record in marks:
        if charter.current_stage(record.institution_id, day) is None:
            continue
        renewed = CharterRecord.objects.filter(
            institution_id=record.institution_id, stage=CharterStage.ICT_MARK, outcome=CharterRecord.Outcome.AWARDED,
            expires_on__gt=record.expires_on).exists()
        if renewed:  # a later visit renewed the Mark: this one lapsing changes nothing
            continue
        left = (record.expires_on - day).days  # type: ignore[operator]
        due = [d for d in sorted(days) if left <= d]
        if not due:
            continue
        lead = due[0]  # the nearest lead time reached (30 before 90): one email, not two
        try:
            with transaction.atomic():
                CharterReminder.objects.create(institution_id=record.institution_id, record=record, days_before=lead, sent_on=day)
                for earlier in due[1:]:  # lead times passed without a reminder are marked, not sent late
                    CharterReminder.objects.get_or_create(institution_id=record.institution_id, record=record,
                                                          days_before=earlier, defaults={"sent_on": day})
        except IntegrityError:
            continue
        recipients = _leaders_emails(record.institution_id, day)
        if not recipients:  # nobody to tell yet: not recorded as sent, so the next run tries again
            CharterReminder.objects.filter(record=record, sent_on=day).delete()
            continue
        if recipients:
            body = _("The ICT Mark of %(school)s, awarded after the visit of %(visit)s, lapses on %(expires)s (in %(left)s days). "
                     "To keep it, complete a review against the schools framework and arrange the assessor's visit with "
                     "your local authority.") % {"school": record.institution.name, "visit": record.visit_date,
                                                 "expires": record.expires_on, "left": left}
            message = EmailMessage(subject=_("Your ICT Mark lapses on %(date)s") % {"date": record.expires_on}, body=body,
                                   from_email=settings.DEFAULT_FROM_EMAIL, to=recipients, connection=get_connection())
            try:
                message.send()
            except Exception:  # a mail server failure must not stop the others
                log.exception("charter reminder for institution %s not sent; it is tried again next run", record.institution_id)
                CharterReminder.objects.filter(record=record, days_before=lead).delete()
                continue
        audit.record(Actor.system("charter_reminders"), "selfreview.charter.reminder", record,
                     institution_id=record.institution_id, detail={"days_before": lead, "to": len(recipients)})
        sent += 1
    return sent

