"""Alerts to families: what a school offers, what each contact chooses, and every delivery.

- ``AlertSettings``: one row per institution (made on demand) saying which alert kinds the school
  offers, who gets the absence alert, the lowest incident severity that alerts, and how many times a
  failed send is tried.
- ``AlertPreference``: a contact's choice of channels (email, text) for one kind. No row means the
  default (``DEFAULT_CHANNELS``). Preferences follow the person, across all their children's schools.
- ``Delivery``: one message to one person on one channel, with the idempotency key that makes
  "never sent twice" a database constraint: (recipient, channel, key) is unique.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped


class AlertKind(models.TextChoices):
    """Every kind of alert. ``OFFERED_KINDS`` lists the ones a school may switch on today."""

    ABSENCE = "absence", _("Absent with no reason given")
    REPORT = "report", _("A report is published")
    INCIDENT = "incident", _("A behaviour incident")
    MESSAGE = "message", _("A message from school")
    HOMEWORK = "homework", _("Homework not handed in by its due time")


OFFERED_KINDS: tuple[str, ...] = (
    AlertKind.ABSENCE, AlertKind.REPORT, AlertKind.INCIDENT, AlertKind.MESSAGE, AlertKind.HOMEWORK,
)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


# (email, text) for a contact who has not chosen.
DEFAULT_CHANNELS: dict[str, tuple[bool, bool]] = {
    AlertKind.ABSENCE: (True, True),
    AlertKind.REPORT: (True, False),
    AlertKind.INCIDENT: (True, False),
    AlertKind.MESSAGE: (True, False),
    AlertKind.HOMEWORK: (True, False),
}


class AlertSettings(InstitutionOwned):
    class AbsenceRecipients(models.TextChoices):
        PRIORITY_ONE = "priority_one", _("Contacts with priority 1 only")
        PARENTAL_RESPONSIBILITY = "parental_responsibility", _("Every contact with parental responsibility")

    offered = models.JSONField(default=list, blank=True, help_text=_("The alert kinds the school sends"))
    absence_recipients = models.CharField(
        max_length=30, choices=AbsenceRecipients.choices, default=AbsenceRecipients.PRIORITY_ONE
    )
    min_incident_severity = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1), MaxValueValidator(4)])
    retry_limit = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1), MaxValueValidator(10)])
    changed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name_plural = "alert settings"
        constraints = [models.UniqueConstraint(fields=["institution"], name="alertsettings_one_per_institution")]

    def offers(self, kind: str) -> bool:
        return kind in OFFERED_KINDS and kind in (self.offered or [])


class AlertPreference(TimeStamped):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="alert_preferences")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="alertpreference_once")]


class Delivery(InstitutionOwned):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent: no address")

    recipient = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="alert_deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    key = models.CharField(max_length=200, help_text=_("What this alert is about: the same key is never sent twice"))
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    learner = models.ForeignKey("people.Learner", on_delete=models.CASCADE, related_name="alert_deliveries")
    address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_ref = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["recipient", "channel", "key"], name="delivery_once")]
        indexes = [
            models.Index(fields=["institution", "status", "updated_at"], name="delivery_inst_status"),
            models.Index(fields=["recipient", "created_at"], name="delivery_recipient"),
        ]
