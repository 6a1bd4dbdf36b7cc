"""Attendance: the statutory register (one mark per learner per session) and its history.

A mark is owned by the institution whose register it is on, and belongs to one enrolment, so
attendance is counted per enrolment. A mark is never overwritten silently: every change after
the first entry writes a ``MarkChange`` (who, when, from what to what, why). The original
entry is the first change's ``from_code`` (or the mark itself, if it never changed), recorded
by ``recorded_by`` at ``created_at``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned
from commonroom.records.codes import CODE_CHOICES, CODES, Session


class AttendanceMark(InstitutionOwned):
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="attendance_marks")
    enrolment = models.ForeignKey("people.Enrolment", on_delete=models.PROTECT, related_name="attendance_marks")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    code = models.CharField(max_length=2, choices=CODE_CHOICES)
    explanation = models.CharField(max_length=500, blank=True)
    minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text=_("Goes up by one with every change"))
    recorded_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["date", "session"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "learner", "date", "session"], name="mark_one_per_session"),
        ]
        indexes = [
            models.Index(fields=["institution", "date", "session"], name="mark_inst_date"),
            models.Index(fields=["learner", "date"], name="mark_learner_date"),
            models.Index(fields=["institution", "code", "date"], name="mark_inst_code"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.session} {self.code}"

    @property
    def code_info(self):  # type: ignore[no-untyped-def]
        return CODES[self.code]


class MarkChange(InstitutionOwned):
    class Source(models.TextChoices):
        REGISTER = "register", _("Register")
        OFFICE = "office", _("Office correction")
        PLANNED = "planned", _("Planned absence")
        CLOSURE = "closure", _("School closure")
        API = "api", _("API")

    mark = models.ForeignKey(AttendanceMark, on_delete=models.CASCADE, related_name="changes")
    from_code = models.CharField(max_length=2)
    to_code = models.CharField(max_length=2)
    from_explanation = models.CharField(max_length=500, blank=True)
    to_explanation = models.CharField(max_length=500, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    changed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["institution", "mark"], name="markchange_inst_mark")]


class Register(InstitutionOwned):
    """A statutory register taken for a registration group and session: who took it and when."""

    group = models.ForeignKey("people.Group", on_delete=models.PROTECT, related_name="registers")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    taken_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_saved_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saves = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "session"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "group", "date", "session"], name="register_one_per_session"),
        ]
