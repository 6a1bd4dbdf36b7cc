"""Two-way messages between families and the school, and broadcasts to a group's parents.

A ``Conversation`` is about one learner at one institution: a parent or carer starts it, addressed
to the learner's form tutor or to the school office, and it holds ``Message`` rows (each with its
author, time and ``MessageRead`` rows for who has read it). A ``Broadcast`` goes to the parents of a
group or of a hand-picked list of learners; its ``BroadcastRecipient`` rows are fixed when it is sent
and carry the read receipts. ``MessagingSettings`` holds each institution's retention period and
whether links in messages become links.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned

BODY_MAX = 5000
SUBJECT_MAX = 150
DEFAULT_RETENTION_YEARS = 7


class MessagingSettings(InstitutionOwned):
    retention_years = models.PositiveSmallIntegerField(
        _("keep conversations for (years after they close)"), default=DEFAULT_RETENTION_YEARS,
    )
    allow_links = models.BooleanField(
        _("show web addresses in messages as links"), default=False,
        help_text=_("Off: addresses are shown as plain text, so nobody can be led to a look-alike site by a click."),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution"], name="messagingsettings_one_per_institution")]


class Conversation(InstitutionOwned):
    class Addressee(models.TextChoices):
        TUTOR = "tutor", _("Form tutor")
        OFFICE = "office", _("School office")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting for family")
        CLOSED = "closed", _("Closed")

    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="conversations")
    started_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="conversations_started")
    addressed_to = models.CharField(max_length=10, choices=Addressee.choices)
    assignee = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="conversations_assigned")
    subject = models.CharField(max_length=SUBJECT_MAX)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    last_message_at = models.DateTimeField()
    # When the family's oldest message still without a staff reply arrived (null: nothing unanswered).
    unanswered_since = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["institution", "status", "unanswered_since"]),
            models.Index(fields=["institution", "assignee"]),
            models.Index(fields=["started_by", "learner"]),
            models.Index(fields=["learner", "institution"]),
        ]

    def __str__(self) -> str:
        return self.subject


class Message(InstitutionOwned):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="messages_written")
    from_family = models.BooleanField()
    body = models.TextField(max_length=BODY_MAX)
    attachment = models.FileField(upload_to="messaging/", blank=True, max_length=200)
    attachment_name = models.CharField(max_length=120, blank=True)
    attachment_type = models.CharField(max_length=40, blank=True)
    attachment_size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["institution", "conversation"])]


class MessageRead(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="messages_read")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "person"], name="messageread_once")]

    def __str__(self) -> str:
        return f"message {self.message_id} read by {self.person_id}"


class Broadcast(InstitutionOwned):
    sender = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="broadcasts_sent")
    group = models.ForeignKey("people.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="broadcasts")
    learners = models.ManyToManyField("people.Learner", blank=True, related_name="+",
                                      help_text=_("A hand-picked list (a trip list), when there is no group"))
    audience = models.CharField(max_length=200, help_text=_("Who it went to, in words, fixed at send time"))
    subject = models.CharField(max_length=SUBJECT_MAX)
    body = models.TextField(max_length=BODY_MAX)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["institution", "sent_at"]), models.Index(fields=["sender"])]

    def __str__(self) -> str:
        return self.subject


class BroadcastRecipient(InstitutionOwned):
    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="broadcasts_received")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["broadcast", "person"]
        indexes = [models.Index(fields=["institution", "broadcast"]), models.Index(fields=["person", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["broadcast", "person"], name="broadcastrecipient_once")]
