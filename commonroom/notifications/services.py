"""Every write about alerts: the school's settings, a contact's choices, making and retrying deliveries.

Making alerts (``create_alerts``) is the one place that decides who is told: the school must offer the
kind; the recipients are the learner's contacts whose link is in force today and not barred, narrowed
per kind (absence: priority 1 or everyone with parental responsibility, per the school; a report: those
who may receive reports; an incident or a message: those with parental responsibility, except that a
message to named contacts, a reply in a conversation, reaches them without it); each
recipient's channels come from their choices (or the defaults). A recipient with no usable address
gets a *skipped* row with the reason, which the office sees. Rows are inserted with the unique
(recipient, channel, key) constraint ignoring conflicts, so running a trigger twice sends nothing twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, require
from commonroom.common.dates import in_force
from commonroom.notifications.models import (
    DEFAULT_CHANNELS,
    OFFERED_KINDS,
    AlertKind,
    AlertPreference,
    AlertSettings,
    Channel,
    Delivery,
)
from commonroom.notifications.sms import normalise_mobile
from commonroom.organisations.models import Institution
from commonroom.people.models import ContactLink, Person

BATCH = 50  # deliveries per delivery task
STUCK_AFTER = datetime.timedelta(minutes=15)  # a row "sending" this long: the worker died mid-send


@dataclass(frozen=True)
class Message:
    subject: str
    email: str
    sms: str


# (learner's given name, learner's full name, school name) -> the message.
Composer = Callable[[str, str, str], Message]


def settings_for(institution_id: int) -> AlertSettings:
    """The school's settings, or the defaults (nothing offered) if it has never saved any. Not saved."""
    found = AlertSettings.objects.filter(institution_id=institution_id).first()
    return found or AlertSettings(institution_id=institution_id)


def settings_save(
    *, actor: Actor, institution: Institution, offered: Sequence[str], absence_recipients: str,
    min_incident_severity: int, retry_limit: int,
) -> AlertSettings:
    from commonroom.records.models import Incident

    require(actor, "manage_alerts", institution)
    errors: dict[str, list[str]] = {}
    unknown = [kind for kind in offered if kind not in OFFERED_KINDS]
    if unknown:
        errors["offered"] = [_("Choose from the alerts listed.")]
    if absence_recipients not in AlertSettings.AbsenceRecipients.values:
        errors["absence_recipients"] = [_("Choose who is told about an absence.")]
    if min_incident_severity not in Incident.Severity.values:
        errors["min_incident_severity"] = [_("Choose a severity.")]
    if not 1 <= retry_limit <= 10:
        errors["retry_limit"] = [_("Tries must be between 1 and 10.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _created = AlertSettings.objects.select_for_update().get_or_create(institution=institution)
        before = {"offered": row.offered, "absence_recipients": row.absence_recipients,
                  "min_incident_severity": row.min_incident_severity, "retry_limit": row.retry_limit}
        row.offered = [kind for kind in OFFERED_KINDS if kind in offered]
        row.absence_recipients, row.min_incident_severity, row.retry_limit = (
            absence_recipients, min_incident_severity, retry_limit)
        row.changed_by_id = actor.person_id
        row.save()
        audit.record(actor, "alerts.settings_saved", row, institution_id=institution.pk,
                     detail={"before": before, "after": {"offered": row.offered, "absence_recipients": absence_recipients,
                                                         "min_incident_severity": min_incident_severity,
                                                         "retry_limit": retry_limit}})
    return row


# A contact's choices.

def contact_links(person_id: int | None) -> list[ContactLink]:
    """The person's links in force today that are not barred: the children they may be told about."""
    if person_id is None:
        return []
    return list(ContactLink.objects.filter(in_force(), contact_id=person_id, access_barred=False)
                .select_related("learner__person"))


def kinds_offered_to(person_id: int | None) -> list[str]:
    """Alert kinds offered by any school where one of the person's children is enrolled today."""
    from commonroom.people.models import Enrolment

    learners = [link.learner_id for link in contact_links(person_id)]
    if not learners:
        return []
    schools = Enrolment.objects.filter(in_force(), learner_id__in=learners).values("institution_id")
    offered: set[str] = set()
    for kinds in AlertSettings.objects.filter(institution_id__in=schools).values_list("offered", flat=True):
        offered.update(kinds or [])
    return [kind for kind in OFFERED_KINDS if kind in offered]


def channels_of(person_ids: Iterable[int]) -> dict[tuple[int, str], tuple[bool, bool]]:
    """(person, kind) -> (email, text) for those who chose; others take ``DEFAULT_CHANNELS``."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    return {(person, kind): (email, sms) for person, kind, email, sms in AlertPreference.objects.filter(
        person_id__in=ids).values_list("person_id", "kind", "email", "sms")}


def preferences_save(*, actor: Actor, choices: dict[str, tuple[bool, bool]]) -> None:
    """Save the actor's own channels per alert kind. Only contacts choose, only among offered kinds."""
    if not contact_links(actor.person_id):
        raise NotFound()
    offered = kinds_offered_to(actor.person_id)
    unknown = sorted(kind for kind in choices if kind not in offered)
    if unknown:
        raise ValidationError({"__all__": [_("Your children's schools do not send these alerts: %(kinds)s.")
                                           % {"kinds": ", ".join(unknown)}]})
    with transaction.atomic():
        for kind, (email, sms) in choices.items():
            AlertPreference.objects.update_or_create(person_id=actor.person_id, kind=kind,
                                                     defaults={"email": bool(email), "sms": bool(sms)})
        person = Person.objects.get(pk=int(actor.person_id or 0))
        audit.record(actor, "alerts.preferences_saved", person,
                     detail={kind: {"email": bool(e), "sms": bool(s)} for kind, (e, s) in choices.items()})


# Making alerts.

def _wanted_links(
    kind: str, settings: AlertSettings, learner_ids: Sequence[int], only_contact_ids: Sequence[int] | None = None,
) -> list[ContactLink]:
    links = ContactLink.objects.filter(in_force(), learner_id__in=list(learner_ids), access_barred=False)
    if only_contact_ids is not None:
        links = links.filter(contact_id__in=list(only_contact_ids))
    if kind == AlertKind.ABSENCE:
        if settings.absence_recipients == AlertSettings.AbsenceRecipients.PRIORITY_ONE:
            links = links.filter(priority=1)
        else:
            links = links.filter(parental_responsibility=True)
    elif kind == AlertKind.REPORT:
        links = links.filter(may_receive_reports=True)
    elif kind == AlertKind.MESSAGE and only_contact_ids is not None:
        pass  # a reply in a conversation reaches the contact in it, with or without parental responsibility
    else:
        links = links.filter(parental_responsibility=True)
    return list(links.select_related("contact", "learner__person").order_by("learner_id", "priority", "contact_id"))


def _address(channel: str, person: Person) -> tuple[str, str]:
    """(address, why not) for the person on the channel."""
    if channel == Channel.SMS:
        mobile = normalise_mobile(person.phone)
        if mobile:
            return mobile, ""
        return "", (_("No UK mobile number on record.") if not person.phone.strip()
                    else _("The phone number on record is not a UK mobile number."))
    email = person.email.strip()
    if not email:
        return "", _("No email address on record.")
    try:
        validate_email(email)
    except ValidationError:
        return "", _("The email address on record is not valid.")
    return email, ""


def create_alerts(
    *, kind: str, institution_id: int, learner_ids: Sequence[int], key_for: Callable[[int], str], compose: Composer,
    link_path: str = "", only_contact_ids: Sequence[int] | None = None,
) -> list[int]:
    """Make the deliveries for one event and queue them (after commit). Returns the ids of new queued rows.

    The caller gives the learners concerned, the idempotency key for each learner and the wording.
    Everything about who is told, and on which channel, is decided here. ``only_contact_ids`` narrows the
    contacts to those people (a reply goes to the parent in the conversation, not to every contact).
    """
    settings = settings_for(institution_id)
    if not settings.offers(kind) or not learner_ids:
        return []
    links = _wanted_links(kind, settings, learner_ids, only_contact_ids)
    if not links:
        return []
    school = Institution.objects.filter(pk=institution_id).values_list("name", flat=True).first() or ""
    chosen = channels_of(link.contact_id for link in links)
    url = f"{django_settings.COMMONROOM_SITE_URL}{link_path}" if link_path else ""
    rows: list[Delivery] = []
    for link in links:
        learner = link.learner.person
        message = compose(learner.preferred_name or learner.given_name, learner.full_name, school)
        email_on, sms_on = chosen.get((link.contact_id, kind), DEFAULT_CHANNELS[kind])
        for channel, on in ((Channel.EMAIL, email_on), (Channel.SMS, sms_on)):
            if not on:
                continue
            address, why_not = _address(channel, link.contact)
            body = message.sms if channel == Channel.SMS else (f"{message.email}\n\n{url}" if url else message.email)
            rows.append(Delivery(
                institution_id=institution_id, recipient_id=link.contact_id, channel=channel,
                key=key_for(link.learner_id)[:200], kind=kind, learner_id=link.learner_id, address=address,
                subject=message.subject[:200], body=body,
                status=Delivery.Status.QUEUED if address else Delivery.Status.SKIPPED, last_error=why_not,
            ))
    if not rows:
        return []
    started = timezone.now()
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        # bulk_create with ignore_conflicts sets no ids: read back the queued rows this run made.
        new_ids = _ids_in_chunks(rows, started)
        queue_deliveries(new_ids)
    return new_ids


def _ids_in_chunks(rows: list[Delivery], started: datetime.datetime) -> list[int]:
    keys = sorted({row.key for row in rows})
    found: list[int] = []
    for start in range(0, len(keys), 500):
        found.extend(Delivery.objects.filter(key__in=keys[start:start + 500], status=Delivery.Status.QUEUED, attempts=0,
                                             created_at__gte=started).values_list("pk", flat=True))
    return found


NO_LONGER_A_CONTACT = gettext_noop("No longer a contact of this learner.")


def still_told(rows: Sequence[Delivery]) -> set[int]:
    """Ids of the rows whose recipient may still be told: a link to the row's learner in force today and
    not barred (and, for a report, one that may receive reports). One query for the whole batch."""
    if not rows:
        return set()
    links = ContactLink.objects.filter(
        in_force(), access_barred=False, contact_id__in=sorted({row.recipient_id for row in rows}),
        learner_id__in=sorted({row.learner_id for row in rows}),
    ).values_list("contact_id", "learner_id", "may_receive_reports")
    linked: set[tuple[int, int]] = set()
    reports: set[tuple[int, int]] = set()
    for contact_id, learner_id, may_receive_reports in links:
        linked.add((contact_id, learner_id))
        if may_receive_reports:
            reports.add((contact_id, learner_id))
    return {row.pk for row in rows
            if (row.recipient_id, row.learner_id) in (reports if row.kind == AlertKind.REPORT else linked)}


def queue_deliveries(ids: Sequence[int], run_after: datetime.datetime | None = None) -> None:
    """Enqueue delivery tasks, in batches, when the current transaction commits."""
    from commonroom.notifications.tasks import deliver_alerts

    ids = sorted(ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        task = deliver_alerts
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        transaction.on_commit(partial(task.enqueue, delivery_ids=chunk))


def undelivered(institution_id: int) -> Any:
    """Deliveries the office should know about: failed, skipped, or stuck in sending (outcome unknown)."""
    from django.db.models import Q

    stuck = Q(status=Delivery.Status.SENDING, updated_at__lt=timezone.now() - STUCK_AFTER)
    return Delivery.objects.filter(
        Q(status__in=[Delivery.Status.FAILED, Delivery.Status.SKIPPED]) | stuck, institution_id=institution_id)


def delivery_retry(*, actor: Actor, delivery: Delivery) -> Delivery:
    """The office tries an undelivered alert again (a skipped one takes the address on record now).

    A recipient who is no longer a contact of the learner (link ended or barred; for a report, may no
    longer receive reports) is not sent to: the row stays skipped with that reason and the office is told.
    """
    require(actor, "retry", delivery)
    not_a_contact = False
    with transaction.atomic():
        row = Delivery.objects.select_for_update().select_related("recipient").get(pk=delivery.pk)
        stuck = row.status == Delivery.Status.SENDING and row.updated_at < timezone.now() - STUCK_AFTER
        if row.status not in (Delivery.Status.FAILED, Delivery.Status.SKIPPED) and not stuck:
            raise ValidationError({"__all__": [_("This alert is not waiting to be tried again.")]})
        before = row.status
        if row.pk not in still_told([row]):
            not_a_contact = True
            row.status, row.last_error, row.next_attempt_at = Delivery.Status.SKIPPED, _(NO_LONGER_A_CONTACT), None
            row.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
            audit.record(actor, "alerts.delivery_skipped", row, learner_id=row.learner_id,
                         institution_id=row.institution_id, detail={"was": before, "channel": row.channel})
        else:
            address, why_not = _address(row.channel, row.recipient)
            if not address:
                raise ValidationError({"__all__": [_("%(why)s Update the contact's details first.") % {"why": why_not}]})
            row.address, row.status, row.attempts, row.last_error, row.next_attempt_at = (
                address, Delivery.Status.QUEUED, 0, "", None)
            row.save(update_fields=["address", "status", "attempts", "last_error", "next_attempt_at", "updated_at"])
            audit.record(actor, "alerts.delivery_retried", row, learner_id=row.learner_id,
                         institution_id=row.institution_id, detail={"was": before, "channel": row.channel})
            queue_deliveries([row.pk])
    if not_a_contact:  # after the commit: the row is recorded as skipped, and the office told why
        raise ValidationError({"__all__": [_("%(why)s It was not sent.") % {"why": _(NO_LONGER_A_CONTACT)}]})
    return row


def may_manage(actor: Actor, institution: Institution) -> bool:
    return can(actor, "manage_alerts", institution)


# The triggers: other apps call these (they enqueue on commit and return at once).

def alert_contacts(
    *, kind: str, learner: Any, institution: Any, subject: str, body: str, link_path: str, key: str,
    only_contact_ids: Sequence[int] | None = None, learners: Sequence[Any] | None = None,
) -> None:
    """Tell a learner's contacts about something (for example a message from school), when the
    transaction commits. ``key`` identifies the event: the same key never alerts the same person twice.
    The text message carries the subject and the link only; the email the body too.

    ``only_contact_ids`` narrows who is told to those people (still only contacts whose link allows it);
    ``learners`` (instead of ``learner``) tells the contacts of several learners once each (a broadcast).
    """
    from commonroom.notifications.tasks import alert_task

    if kind not in AlertKind.values:
        raise ValueError(f"unknown alert kind {kind!r}")
    learner_ids = sorted({getattr(one, "pk", one) for one in (learners if learners is not None else [learner])})
    institution_id = getattr(institution, "pk", institution)
    only = sorted(set(only_contact_ids)) if only_contact_ids is not None else None
    transaction.on_commit(lambda: alert_task.enqueue(
        kind=kind, learner_ids=learner_ids, institution_id=institution_id, subject=subject[:200], body=body[:5000],
        link_path=link_path, key=key, only_contact_ids=only))


def absence_alerts_on_commit(*, institution_id: int, day: datetime.date, session: str, learner_ids: Sequence[int]) -> None:
    """Called by the register save: one task for the save, queued after it commits."""
    if not learner_ids:
        return
    from commonroom.notifications.tasks import absence_alerts

    ids = sorted(set(learner_ids))
    transaction.on_commit(lambda: absence_alerts.enqueue(
        institution_id=institution_id, day=day.isoformat(), session=session, learner_ids=ids))


def report_alerts_on_commit(*, cycle_id: int) -> None:
    from commonroom.notifications.tasks import report_alerts

    transaction.on_commit(lambda: report_alerts.enqueue(cycle_id=cycle_id))


def incident_alerts_on_commit(*, incident_id: int) -> None:
    from commonroom.notifications.tasks import incident_alerts

    transaction.on_commit(lambda: incident_alerts.enqueue(incident_id=incident_id))



def homework_alerts_on_commit(*, assignment_id: int, due_at: datetime.datetime) -> None:
    """Called when homework is set or its due time changes: one run at the due time, queued after commit."""
    from commonroom.notifications.tasks import homework_alerts

    task = homework_alerts
    if task.get_backend().supports_defer:  # the database queue (deployments); the tests' immediate one runs it now
        task = task.using(run_after=due_at)
    when = due_at.astimezone(datetime.UTC).isoformat()  # in UTC, as the database reads it back
    transaction.on_commit(partial(task.enqueue, assignment_id=assignment_id, due_at=when))
