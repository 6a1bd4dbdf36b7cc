"""Background work for alerts: making the deliveries for an event, and sending them.

``deliver_alerts`` takes a batch of delivery ids. Each row is claimed with a conditional UPDATE
(queued -> sending): of two workers given the same row, one claims it and the other skips it. A send
that raises records the error and is queued again with a growing delay (1, 2, 4... minutes) until the
school's retry limit, then marked failed, which the office sees. A row left in ``sending`` by a worker
that died is never sent again automatically (at most once: docs/adr/0009-alert-delivery.md); the
office sees it as "outcome unknown" and may try it again. A row whose recipient is no longer a contact
of the learner (link ended, barred, or for a report no longer allowed reports) is marked skipped, not sent.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from commonroom.notifications import sms
from commonroom.notifications.models import AlertKind, AlertSettings, Channel, Delivery
from commonroom.notifications.services import (
    NO_LONGER_A_CONTACT,
    Message,
    create_alerts,
    queue_deliveries,
    still_told,
)

MAX_BACKOFF_MINUTES = 60


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


class _Mail:
    """One email connection for a batch, opened on first use."""

    def __init__(self) -> None:
        self.connection: Any = None

    def send(self, row: Delivery) -> str:
        if self.connection is None:
            connection = get_connection()
            connection.open()
            self.connection = connection
        message_id = make_msgid(idstring=f"alert-{row.pk}")
        message = EmailMessage(subject=row.subject, body=row.body, from_email=settings.DEFAULT_FROM_EMAIL,
                               to=[row.address], connection=self.connection, headers={"Message-ID": message_id})
        if not message.send():
            raise RuntimeError(_("The mail server did not accept the message."))
        return message_id

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


@task()
def deliver_alerts(*, delivery_ids: list[int]) -> int:
    """Send each queued delivery in the batch once. Returns how many were sent."""
    rows = list(Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.QUEUED).order_by("pk"))
    if not rows:
        return 0
    limits = dict(AlertSettings.objects.filter(institution_id__in={row.institution_id for row in rows})
                  .values_list("institution_id", "retry_limit"))
    told = still_told(rows)
    mail = _Mail()
    sent = 0
    retry: list[tuple[int, datetime.datetime]] = []
    try:
        for row in rows:
            now = timezone.now()
            if row.pk not in told:  # barred, or the link ended, since the alert was made: not sent
                Delivery.objects.filter(pk=row.pk, status=Delivery.Status.QUEUED).update(
                    status=Delivery.Status.SKIPPED, last_error=_(NO_LONGER_A_CONTACT), next_attempt_at=None,
                    updated_at=now)
                continue
            claimed = Delivery.objects.filter(pk=row.pk, status=Delivery.Status.QUEUED).update(
                status=Delivery.Status.SENDING, attempts=F("attempts") + 1, updated_at=now)
            if not claimed:
                continue  # another worker has it, or it was sent already
            attempts = row.attempts + 1
            try:
                if row.channel == Channel.SMS:
                    reference = sms.send(row.address, row.body, str(row.pk))
                else:
                    reference = mail.send(row)
            except Exception as error:  # every failure is recorded on the row, retried, then reported
                error_text = str(error)[:500] or error.__class__.__name__
                if attempts < limits.get(row.institution_id, AlertSettings._meta.get_field("retry_limit").default):
                    when = timezone.now() + backoff(attempts)
                    Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.QUEUED, last_error=error_text,
                                                              next_attempt_at=when, updated_at=timezone.now())
                    retry.append((row.pk, when))
                else:
                    Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.FAILED, last_error=error_text,
                                                              next_attempt_at=None, updated_at=timezone.now())
                continue
            Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now(),
                                                      provider_ref=str(reference)[:200], last_error="",
                                                      next_attempt_at=None, updated_at=timezone.now())
            sent += 1
    finally:
        mail.close()
    for pk, when in retry:
        queue_deliveries([pk], run_after=when)
    return sent


def _day_words(day: datetime.date, session: str) -> str:
    """The date by name ("on Monday 30 November, morning"): still true when a retry goes out days later."""
    words = _("on %(day)s, morning") if session == "AM" else _("on %(day)s, afternoon")
    return words % {"day": day.strftime("%A %-d %B")}


@task()
def absence_alerts(*, institution_id: int, day: str, session: str, learner_ids: list[int]) -> int:
    """One register save's absences (N): tell the contacts, once per learner per day. Learners a parent
    has already reported absent for the day and session (pending or confirmed) are left out."""
    from commonroom.liaison.selectors import reported_absent

    date = datetime.date.fromisoformat(day)
    reported = reported_absent(learner_ids, date, session, institution_id=institution_id)
    learner_ids = [learner_id for learner_id in learner_ids if learner_id not in reported]
    when = _day_words(date, session)

    def compose(given: str, _full: str, school: str) -> Message:
        subject = _("%(child)s was not marked present at %(school)s %(when)s") % {
            "child": given, "school": school, "when": when}
        text = _("%(child)s was not marked present at %(school)s %(when)s and we have no reason for the absence. "
                 "Please contact the school.") % {"child": given, "school": school, "when": when}
        return Message(subject, text, text)

    return len(create_alerts(kind=AlertKind.ABSENCE, institution_id=institution_id, learner_ids=learner_ids,
                             key_for=lambda learner_id: f"absence:{learner_id}:{day}", compose=compose, link_path="/"))


@task()
def report_alerts(*, cycle_id: int) -> int:
    """A published report cycle: each learner's contacts who may receive reports, once per report."""
    from commonroom.records.models import PublishedReport, ReportCycle

    cycle = ReportCycle.objects.filter(pk=cycle_id).values_list("institution_id", "name").first()
    if cycle is None:
        return 0
    institution_id, cycle_name = cycle
    reports = dict(PublishedReport.objects.filter(cycle_id=cycle_id).values_list("learner_id", "pk"))

    def compose(given: str, _full: str, school: str) -> Message:
        subject = _("%(child)s's report from %(school)s is ready") % {"child": given, "school": school}
        email = _("%(child)s's report (%(cycle)s) from %(school)s is ready. Sign in to Commonroom to read it.") % {
            "child": given, "cycle": cycle_name, "school": school}
        text = _("%(child)s's report from %(school)s is ready. Sign in to Commonroom to read it.") % {
            "child": given, "school": school}
        return Message(subject, email, text)

    total = 0
    ids = sorted(reports)
    for start in range(0, len(ids), 500):
        total += len(create_alerts(kind=AlertKind.REPORT, institution_id=institution_id, learner_ids=ids[start:start + 500],
                                   key_for=lambda learner_id: f"report:{reports[learner_id]}", compose=compose,
                                   link_path="/reports/"))
    return total


@task()
def incident_alerts(*, incident_id: int) -> int:
    """A behaviour incident at or above the school's severity: the instigators' and participants' contacts."""
    from commonroom.notifications.services import settings_for
    from commonroom.records.models import Incident, IncidentLearner

    incident = Incident.objects.filter(pk=incident_id).select_related("category").first()
    if incident is None or incident.severity < settings_for(incident.institution_id).min_incident_severity:
        return 0
    learners = list(IncidentLearner.objects.filter(
        incident_id=incident_id, role__in=[IncidentLearner.Role.INSTIGATOR, IncidentLearner.Role.PARTICIPANT],
    ).values_list("learner_id", flat=True))
    severity = Incident.Severity(incident.severity).label

    def compose(given: str, _full: str, school: str) -> Message:
        subject = _("A behaviour incident involving %(child)s at %(school)s") % {"child": given, "school": school}
        email = _("%(school)s recorded a behaviour incident (%(category)s, severity: %(severity)s) involving %(child)s. "
                  "Sign in to Commonroom for details, or contact the school.") % {
            "school": school, "category": incident.category.name, "severity": severity, "child": given}
        text = _("%(school)s recorded a behaviour incident involving %(child)s. Please sign in to Commonroom or "
                 "contact the school.") % {"school": school, "child": given}
        return Message(subject, email, text)

    return len(create_alerts(kind=AlertKind.INCIDENT, institution_id=incident.institution_id, learner_ids=learners,
                             key_for=lambda learner_id: f"incident:{incident_id}:{learner_id}", compose=compose,
                             link_path="/"))


def _instant(value: str) -> datetime.datetime | None:
    """The instant an ISO 8601 string names (any offset), or None if it names none."""
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@task()
def homework_alerts(*, assignment_id: int, due_at: str) -> int:
    """Homework not handed in by its due time: the contacts of each learner in the group who has not.

    Queued, when homework is set or its due time changes, to run at the due time (``run_after``): the
    database queue keeps it across restarts. ``due_at`` is compared as an instant, not as text (the
    time set on the page is London time; the database reads it back in UTC). A run for a due time that has since changed does nothing
    (the change queued its own run); one for homework returned, withdrawn or deleted does nothing.
    """
    from django.utils import timezone

    from commonroom.learning.models import Assignment
    from commonroom.learning.selectors import missing_hand_ins

    assignment = Assignment.objects.filter(pk=assignment_id).select_related("group").first()
    if (assignment is None or assignment.state != Assignment.State.SET or assignment.returned_at is not None
            or _instant(due_at) != assignment.due_at or assignment.due_at > timezone.now()):
        return 0
    learners = missing_hand_ins(assignment)
    subject_name = assignment.group.subject or assignment.group.name

    def compose(given: str, _full: str, school: str) -> Message:
        subject = _("%(child)s has not handed in homework: %(title)s") % {"child": given, "title": assignment.title}
        email = _("%(child)s has not handed in the %(subject)s homework \"%(title)s\", due %(due)s. If it was handed "
                  "in on paper, the teacher will record it. Sign in to Commonroom to see it.") % {
            "child": given, "subject": subject_name, "title": assignment.title,
            "due": timezone.localtime(assignment.due_at).strftime("%d %B at %H:%M")}
        text = _("%(school)s: %(child)s has not handed in %(subject)s homework due today. Sign in to Commonroom to "
                 "see it.") % {"school": school, "child": given, "subject": subject_name}
        return Message(subject, email, text)

    return len(create_alerts(kind=AlertKind.HOMEWORK, institution_id=assignment.institution_id, learner_ids=learners,
                             key_for=lambda learner_id: f"homework:{assignment_id}:{learner_id}", compose=compose,
                             link_path="/homework/"))


@task()
def alert_task(*, kind: str, institution_id: int, subject: str, body: str, link_path: str, key: str,
               learner_id: int | None = None, learner_ids: list[int] | None = None,
               only_contact_ids: list[int] | None = None) -> int:
    """An alert another app asked for (``services.alert_contacts``)."""

    def compose(given: str, _full: str, school: str) -> Message:
        text = _("%(school)s: %(subject)s (about %(child)s). Sign in to Commonroom to read it.") % {
            "school": school, "subject": subject, "child": given}
        return Message(subject, body, text)

    ids = learner_ids if learner_ids is not None else [learner_id] if learner_id is not None else []
    return len(create_alerts(kind=kind, institution_id=institution_id, learner_ids=ids,
                             key_for=lambda _learner_id: key, compose=compose, link_path=link_path,
                             only_contact_ids=only_contact_ids))
