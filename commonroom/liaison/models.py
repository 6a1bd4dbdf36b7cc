"""What families send the school office to act on.

- ``AbsenceReport``: a parent says their child is ill today or will be absent (a planned absence).
  It never sets an attendance code: the office confirms it with a code of its choosing (written
  through the records service that records planned absences) or declines it with a note.
- ``DetailChange``: a parent asks to change one value on a record (their own email or phone, or a
  child's medical notes or dietary needs). The old and new values are kept from the moment of asking;
  the office approves (the record is changed once, through a service) or rejects.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped


class AbsenceReport(InstitutionOwned):
    class Kind(models.TextChoices):
        ILL_TODAY = "ill", _("Ill today")
        PLANNED = "planned", _("Planned absence")

    class Reason(models.TextChoices):
        ILLNESS = "illness", _("Illness")
        MEDICAL = "medical", _("Medical or dental appointment")
        RELIGIOUS = "religious", _("Religious observance")
        FAMILY = "family", _("Family event")
        OTHER = "other", _("Other")

    class Sessions(models.TextChoices):
        BOTH = "both", _("All day")
        AM = "AM", _("Morning only")
        PM = "PM", _("Afternoon only")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the school")
        CONFIRMED = "confirmed", _("Confirmed by the school")
        DECLINED = "declined", _("Declined by the school")

    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="absence_reports")
    reported_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    first_date = models.DateField()
    last_date = models.DateField()
    sessions = models.CharField(max_length=4, choices=Sessions.choices, default=Sessions.BOTH)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    code = models.CharField(max_length=2, blank=True, help_text=_("The attendance code the office confirmed"))
    decided_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-first_date", "-id"]
        indexes = [
            models.Index(fields=["institution", "status", "first_date"]),
            models.Index(fields=["learner", "first_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(last_date__gte=F("first_date")), name="absencereport_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.first_date}–{self.last_date}"

    def covers(self, session: str) -> bool:
        return self.sessions in (self.Sessions.BOTH, session)


class DetailChange(TimeStamped):
    """One value a parent asks to change. Not owned by one institution: it follows the people (a
    parent's own phone number is theirs at every school), so any office that may decide sees it."""

    class Field(models.TextChoices):
        EMAIL = "email", _("Email address")
        PHONE = "phone", _("Phone number")
        MEDICAL_NOTES = "medical_notes", _("Medical notes")
        DIETARY_NEEDS = "dietary_needs", _("Dietary needs")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the school")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    PERSON_FIELDS = ("email", "phone")
    LEARNER_FIELDS = ("medical_notes", "dietary_needs")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               help_text=_("Whose record: the parent, or the child for a child's field"))
    learner = models.ForeignKey("people.Learner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="detail_changes")
    field = models.CharField(max_length=20, choices=Field.choices)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    requested_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_at_institution = models.ForeignKey("organisations.Institution", null=True, blank=True,
                                               on_delete=models.SET_NULL, related_name="+")
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "learner"]), models.Index(fields=["requested_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(field__in=["email", "phone"], learner__isnull=True)
                           | Q(field__in=["medical_notes", "dietary_needs"], learner__isnull=False, person_id=F("learner_id"))),
                name="detailchange_field_matches_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.status}"

    @property
    def about_child(self) -> bool:
        return self.learner_id is not None
