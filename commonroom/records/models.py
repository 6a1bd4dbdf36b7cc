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
from commonroom.records.codes import CATEGORY_NUMBERS, CODE_CHOICES, CODES, Category, Session, codes_in


class Source(models.TextChoices):
    """Where a mark (or a change to it) came from."""

    REGISTER = "register", _("Register")
    OFFICE = "office", _("Office correction")
    PLANNED = "planned", _("Planned absence")
    CLOSURE = "closure", _("School closure")
    API = "api", _("API")
    IMPORT = "import", _("Import")


# A form tutor may change, in the register, marks that came from a register; the rest are the office's.
REGISTER_SOURCES = (Source.REGISTER, Source.API)


class AttendanceMark(InstitutionOwned):
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="attendance_marks")
    enrolment = models.ForeignKey("people.Enrolment", on_delete=models.PROTECT, related_name="attendance_marks")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    code = models.CharField(max_length=2, choices=CODE_CHOICES)
    explanation = models.CharField(max_length=500, blank=True)
    minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text=_("Goes up by one with every change"))
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REGISTER,
                              help_text=_("Where the mark as it stands came from"))
    # The code's statistical category as a small number, kept by the database itself.
    category = models.GeneratedField(
        expression=models.Case(
            *[models.When(code__in=codes_in(category), then=models.Value(number))
              for category, number in CATEGORY_NUMBERS.items() if category != Category.NOT_POSSIBLE],
            default=models.Value(CATEGORY_NUMBERS[Category.NOT_POSSIBLE]),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
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
            # Covers the figures: every aggregate over a school's date range reads only this index.
            models.Index(fields=["institution", "date", "enrolment", "category", "learner"], name="mark_inst_date_cover"),
            models.Index(fields=["learner", "date"], name="mark_learner_date"),
            models.Index(fields=["institution", "code", "date"], name="mark_inst_code"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.session} {self.code}"

    @property
    def code_info(self):  # type: ignore[no-untyped-def]
        return CODES[self.code]


class MarkChange(InstitutionOwned):
    Source = Source

    mark = models.ForeignKey(AttendanceMark, on_delete=models.CASCADE, related_name="changes")
    from_code = models.CharField(max_length=2)
    to_code = models.CharField(max_length=2)
    from_explanation = models.CharField(max_length=500, blank=True)
    to_explanation = models.CharField(max_length=500, blank=True)
    from_minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    to_minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
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


# Behaviour and rewards ---------------------------------------------------------------------------


class BehaviourCategory(InstitutionOwned):
    """A kind of incident or reward an institution records, with its points (set by the school)."""

    class Kind(models.TextChoices):
        INCIDENT = "incident", _("Incident")
        REWARD = "reward", _("Reward")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100)
    points = models.PositiveSmallIntegerField(
        help_text=_("Reward points earned, or behaviour points counted towards an alert")
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["institution", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["institution", "kind", "name"], name="behaviourcategory_unique")]

    def __str__(self) -> str:
        return self.name


class BehaviourSettings(models.Model):
    """When form tutors and heads of year are alerted: incident points in a recent window."""

    institution = models.OneToOneField(
        "organisations.Institution", primary_key=True, on_delete=models.CASCADE, related_name="behaviour_settings"
    )
    alert_points = models.PositiveSmallIntegerField(
        _("alert at this many incident points"), default=10,
        help_text=_("A learner's form tutor and head of year are alerted when their incident points reach this"),
    )
    alert_days = models.PositiveSmallIntegerField(
        _("counted over this many days"), default=14, help_text=_("The window of recent days the points are counted over")
    )

    def __str__(self) -> str:
        return f"{self.alert_points} points in {self.alert_days} days"


class Incident(InstitutionOwned):
    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MODERATE = 2, _("Moderate")
        HIGH = 3, _("High")
        SERIOUS = 4, _("Serious")

    category = models.ForeignKey(BehaviourCategory, on_delete=models.PROTECT, related_name="incidents")
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=100, blank=True)
    description = models.TextField()
    action_taken = models.TextField(blank=True)
    follow_up_owner = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up_done = models.BooleanField(default=False)
    recorded_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["institution", "occurred_at"], name="incident_inst_when")]


class IncidentLearner(InstitutionOwned):
    """A learner involved in an incident, in a role, with the points the incident counts for them."""

    class Role(models.TextChoices):
        INSTIGATOR = "instigator", _("Instigator")
        PARTICIPANT = "participant", _("Participant")
        TARGET = "target", _("Affected")
        WITNESS = "witness", _("Witness")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="learners")
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="incidents")
    role = models.CharField(max_length=12, choices=Role.choices)
    points = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "learner"], name="incidentlearner_unique")]
        indexes = [models.Index(fields=["learner", "incident"], name="incidentlearner_learner")]


class Reward(InstitutionOwned):
    category = models.ForeignKey(BehaviourCategory, on_delete=models.PROTECT, related_name="rewards")
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="rewards")
    points = models.PositiveSmallIntegerField()
    awarded_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-awarded_on", "-id"]
        indexes = [
            models.Index(fields=["institution", "awarded_on"], name="reward_inst_when"),
            models.Index(fields=["learner", "awarded_on"], name="reward_learner_when"),
        ]
