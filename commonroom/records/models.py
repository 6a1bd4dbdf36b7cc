"""Attendance: the statutory register (one mark per learner per session) and its history.

A mark is owned by the institution whose register it is on, and belongs to one enrolment, so
attendance is counted per enrolment. A mark is never overwritten silently: every change after
the first entry writes a ``MarkChange`` (who, when, from what to what, why). The original
entry is the first change's ``from_code`` (or the mark itself, if it never changed), recorded
by ``recorded_by`` at ``created_at``.
"""

from __future__ import annotations

from typing import Any

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


# The school's week: periods, rooms, the timetable, lesson registers ----------------------------------


class SchoolWeek(models.Model):
    """How an institution's week runs: the timetable cycle and when a statutory register closes."""

    institution = models.OneToOneField(
        "organisations.Institution", primary_key=True, on_delete=models.CASCADE, related_name="school_week"
    )
    cycle_weeks = models.PositiveSmallIntegerField(
        _("timetable cycle"), default=1, choices=[(1, _("One week")), (2, _("Two weeks (week A and week B)"))]
    )
    cycle_starts = models.DateField(
        _("week A begins"), null=True, blank=True, help_text=_("A Monday in week A (for a two-week cycle)")
    )
    register_open_minutes = models.PositiveSmallIntegerField(
        _("minutes a register stays open"), default=30,
        help_text=_("At most 30: a learner who arrives after the register closes is marked U"),
    )

    def __str__(self) -> str:
        return f"{self.cycle_weeks}-week cycle"

    def cycle_week(self, day: Any) -> int:
        """1 (week A) or 2 (week B) for the day."""
        if self.cycle_weeks == 1 or self.cycle_starts is None:
            return 1
        weeks = (day - self.cycle_starts).days // 7
        return 1 + weeks % 2


class Period(InstitutionOwned):
    """A slot in the school day: a statutory registration, a lesson, or a break."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        LESSON = "lesson", _("Lesson")
        BREAK = "break", _("Break")

    name = models.CharField(max_length=30, help_text=_("For example P1 or AM registration"))
    kind = models.CharField(max_length=12, choices=Kind.choices)
    session = models.CharField(max_length=2, choices=Session.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["institution", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="period_unique_name"),
            models.CheckConstraint(condition=models.Q(starts__lt=models.F("ends")), name="period_times_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Room(InstitutionOwned):
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["institution", "name"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return self.name


class TimetableSlot(InstitutionOwned):
    """A teaching group meets in a period on a weekday (of week A or B), with a teacher, in a room."""

    academic_year = models.ForeignKey("organisations.AcademicYear", on_delete=models.PROTECT, related_name="+",
                                      help_text=_("The group's academic year: a timetable is a year's"))
    group = models.ForeignKey("people.Group", on_delete=models.CASCADE, related_name="timetable_slots")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="slots")
    weekday = models.PositiveSmallIntegerField(choices=[(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")),
                                                        (3, _("Thursday")), (4, _("Friday"))])
    cycle_week = models.PositiveSmallIntegerField(default=1, choices=[(1, _("Week A")), (2, _("Week B"))])
    teacher = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="timetable_slots")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots")

    class Meta:
        ordering = ["institution", "cycle_week", "weekday", "period__starts"]
        constraints = [
            models.UniqueConstraint(fields=["group", "cycle_week", "weekday", "period"], name="slot_group_once"),
            models.UniqueConstraint(fields=["academic_year", "teacher", "cycle_week", "weekday", "period"],
                                    name="slot_teacher_once"),
            models.UniqueConstraint(fields=["academic_year", "room", "cycle_week", "weekday", "period"], name="slot_room_once"),
        ]
        indexes = [models.Index(fields=["institution", "cycle_week", "weekday"], name="slot_inst_day")]


class LessonMark(InstitutionOwned):
    """A learner's attendance at one lesson. Not statutory: it shows who was where, period by period."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        ELSEWHERE = "elsewhere", _("Elsewhere with permission")

    slot = models.ForeignKey(TimetableSlot, on_delete=models.PROTECT, related_name="marks")
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="lesson_marks")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["slot", "date", "learner"], name="lessonmark_once")]
        indexes = [models.Index(fields=["institution", "date", "status"], name="lessonmark_inst_day")]


# Assessment.
#
# A school defines grade sets (an ordered list of grades, or whole numbers in a range), the points in
# the year when it collects grades, and aspects (attainment, effort, target, predicted) for every
# subject or one subject. A result is one grade for one learner, subject, aspect and point. Targets are
# results of a target aspect, so progress compares the latest attainment with the latest target when
# both use the same grade set.


class GradeSet(InstitutionOwned):
    class Kind(models.TextChoices):
        LIST = "list", _("A list of grades")
        NUMBER = "number", _("Whole numbers in a range")

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LIST)
    minimum = models.IntegerField(null=True, blank=True, help_text=_("For whole numbers: the lowest allowed"))
    maximum = models.IntegerField(null=True, blank=True, help_text=_("For whole numbers: the highest allowed"))
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["institution", "name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="gradeset_unique_name"),
            models.CheckConstraint(
                condition=models.Q(kind="list") | models.Q(minimum__isnull=False, maximum__isnull=False,
                                                           minimum__lte=models.F("maximum")),
                name="gradeset_number_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Grade(InstitutionOwned):
    """One grade in a list grade set. A higher rank is better."""

    grade_set = models.ForeignKey(GradeSet, on_delete=models.CASCADE, related_name="grades")
    value = models.CharField(max_length=20, help_text=_("What a teacher types: 9, A*, EXS"))
    label = models.CharField(max_length=100, blank=True, help_text=_("What it means: Working at the expected standard"))
    rank = models.SmallIntegerField()

    class Meta:
        ordering = ["grade_set", "-rank"]
        constraints = [
            models.UniqueConstraint(fields=["grade_set", "value"], name="grade_unique_value"),
            models.UniqueConstraint(fields=["grade_set", "rank"], name="grade_unique_rank"),
        ]

    def __str__(self) -> str:
        return self.value


class AssessmentPoint(InstitutionOwned):
    """A point in the year when grades are collected ("Autumn data collection")."""

    academic_year = models.ForeignKey("organisations.AcademicYear", on_delete=models.PROTECT, related_name="assessment_points")
    name = models.CharField(max_length=100)
    date = models.DateField(help_text=_("The date the grades describe"))
    locked = models.BooleanField(default=False, help_text=_("Locked: teachers can no longer change grades"))
    published = models.BooleanField(default=False, help_text=_("Published: learners and families see the visible aspects"))

    class Meta:
        ordering = ["institution", "date", "name"]
        constraints = [models.UniqueConstraint(fields=["institution", "academic_year", "name"], name="point_unique_name")]

    def __str__(self) -> str:
        return self.name


class Aspect(InstitutionOwned):
    class Kind(models.TextChoices):
        ATTAINMENT = "attainment", _("Attainment")
        EFFORT = "effort", _("Effort")
        TARGET = "target", _("Target")
        PREDICTED = "predicted", _("Predicted")

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    grade_set = models.ForeignKey(GradeSet, on_delete=models.PROTECT, related_name="aspects")
    subject = models.CharField(max_length=100, blank=True, help_text=_("Blank: every subject"))
    visible_to_families = models.BooleanField(
        default=False, help_text=_("Learners and their parents and carers see it once a point is published")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["institution", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["institution", "subject", "name"], name="aspect_unique_name")]

    def __str__(self) -> str:
        return self.name


class AssessmentResult(InstitutionOwned):
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="assessment_results")
    point = models.ForeignKey(AssessmentPoint, on_delete=models.PROTECT, related_name="results")
    aspect = models.ForeignKey(Aspect, on_delete=models.PROTECT, related_name="results")
    subject = models.CharField(max_length=100)
    value = models.CharField(max_length=20)
    rank = models.IntegerField(help_text=_("For comparing grades of one grade set: higher is better"))
    group = models.ForeignKey("people.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              help_text=_("The teaching group it was entered for"))
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["point", "aspect", "subject", "learner"], name="result_once"),
        ]
        indexes = [
            models.Index(fields=["institution", "learner", "subject"], name="result_inst_learner"),
            models.Index(fields=["institution", "point", "subject"], name="result_inst_point"),
        ]


# Special educational needs.
#
# A learner's SEN record at a school: the status (SEN support K, an EHC plan E), needs by the national
# types, the support plan (a summary for teachers, the detail for the SENCO), what the school shares
# with the family, provision, and reviews. Every change of status or need closes one episode and opens
# another, which is the SEN history a CTF carries.


class SenStatus(models.TextChoices):
    NONE = "N", _("No special educational need")
    SUPPORT = "K", _("SEN support")
    EHC_PLAN = "E", _("Education, health and care plan")


class NeedType(models.TextChoices):
    SPLD = "SPLD", _("Specific learning difficulty")
    MLD = "MLD", _("Moderate learning difficulty")
    SLD = "SLD", _("Severe learning difficulty")
    PMLD = "PMLD", _("Profound and multiple learning difficulty")
    SEMH = "SEMH", _("Social, emotional and mental health")
    SLCN = "SLCN", _("Speech, language and communication needs")
    HI = "HI", _("Hearing impairment")
    VI = "VI", _("Vision impairment")
    MSI = "MSI", _("Multi-sensory impairment")
    PD = "PD", _("Physical disability")
    ASD = "ASD", _("Autistic spectrum disorder")
    OTH = "OTH", _("Other difficulty or disability")
    NSA = "NSA", _("SEN support but no specialist assessment of type of need")


class SenRecord(InstitutionOwned):
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="sen_records")
    status = models.CharField(max_length=1, choices=SenStatus.choices, default=SenStatus.NONE)
    status_since = models.DateField()
    primary_need = models.CharField(max_length=4, choices=NeedType.choices, blank=True)
    secondary_need = models.CharField(max_length=4, choices=NeedType.choices, blank=True)
    teacher_summary = models.TextField(blank=True, help_text=_("What the learner's teachers need to know to teach them"))
    strategies = models.TextField(blank=True, help_text=_("Strategies that help, for teachers"))
    plan_detail = models.TextField(blank=True, help_text=_("The full support plan: seen by the SENCO and leaders only"))
    family_summary = models.TextField(blank=True, help_text=_("What the school shares with the learner and family"))
    share_with_family = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    changed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "learner"], name="senrecord_once")]
        indexes = [models.Index(fields=["institution", "status"], name="senrecord_inst_status")]


class SenEpisode(InstitutionOwned):
    """A span of one SEN status and needs: the SEN history."""

    record = models.ForeignKey(SenRecord, on_delete=models.CASCADE, related_name="episodes")
    status = models.CharField(max_length=1, choices=SenStatus.choices)
    primary_need = models.CharField(max_length=4, choices=NeedType.choices, blank=True)
    secondary_need = models.CharField(max_length=4, choices=NeedType.choices, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["record", "start_date", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(end_date__isnull=True)
                                              | models.Q(end_date__gte=models.F("start_date")), name="senepisode_dates")]


class SenProvision(InstitutionOwned):
    record = models.ForeignKey(SenRecord, on_delete=models.CASCADE, related_name="provisions")
    description = models.CharField(max_length=300)
    provider = models.CharField(max_length=200, blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["record", "-start_date", "pk"]


class SenReview(InstitutionOwned):
    record = models.ForeignKey(SenRecord, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    shared_with_family = models.BooleanField(default=False)
    recorded_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["record", "-due_on", "pk"]


# What another school sent: from a Common Transfer File (or typed in from a paper record).


class PriorAttendance(InstitutionOwned):
    """A learner's attendance for a year at a previous school, as its CTF gave it."""

    learner = models.ForeignKey("people.Learner", on_delete=models.CASCADE, related_name="prior_attendance")
    year = models.PositiveSmallIntegerField(help_text=_("The year the academic year starts: 2025 for 2025/26"))
    source_laestab = models.CharField(max_length=7, help_text=_("The sending school's LA and establishment numbers"))
    source_name = models.CharField(max_length=200, blank=True)
    sessions_possible = models.PositiveIntegerField()
    sessions_authorised = models.PositiveIntegerField()
    sessions_unauthorised = models.PositiveIntegerField()

    class Meta:
        ordering = ["learner", "year"]
        constraints = [models.UniqueConstraint(fields=["institution", "learner", "year", "source_laestab"],
                                               name="priorattendance_once")]


class StageResult(InstitutionOwned):
    """A key stage assessment result (KS1, KS2 tests and teacher assessments, phonics...), from a CTF."""

    learner = models.ForeignKey("people.Learner", on_delete=models.CASCADE, related_name="stage_results")
    stage = models.CharField(max_length=10)
    subject = models.CharField(max_length=20)
    method = models.CharField(max_length=10)
    component = models.CharField(max_length=40)
    locale = models.CharField(max_length=10, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    result_status = models.CharField(max_length=20, blank=True)
    result_qualifier = models.CharField(max_length=20, blank=True)
    result = models.CharField(max_length=40)
    source_laestab = models.CharField(max_length=7, blank=True)

    class Meta:
        ordering = ["learner", "stage", "subject", "method", "component"]
        # A result without a year is matched by the importer, not by a constraint: SQLite cannot say NULLS NOT DISTINCT.
        constraints = [models.UniqueConstraint(
            fields=["institution", "learner", "stage", "subject", "method", "component", "year"], name="stageresult_once",
        )]


class PriorSchool(InstitutionOwned):
    """A school the learner attended before, from a CTF's school history."""

    learner = models.ForeignKey("people.Learner", on_delete=models.CASCADE, related_name="prior_schools")
    laestab = models.CharField(max_length=7)
    name = models.CharField(max_length=200, blank=True)
    entry_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    leaving_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["learner", "entry_date"]
        constraints = [models.UniqueConstraint(fields=["institution", "learner", "laestab", "entry_date"],
                                               name="priorschool_once")]


# Written reports.
#
# A leader sets up a cycle (which year groups, subjects, sections, the assessment point whose grades
# appear, a deadline). Teachers write a comment per learner per subject, tutors and heads of year add
# theirs; a proof-reader checks or returns each comment; a leader publishes. Publishing freezes each
# learner's report as issued (``PublishedReport.document``): later changes to grades or comments never
# alter a report a family has received.


class ReportCycle(InstitutionOwned):
    class Status(models.TextChoices):
        WRITING = "writing", _("Writing")
        PUBLISHED = "published", _("Published")

    name = models.CharField(max_length=200)
    academic_year = models.ForeignKey("organisations.AcademicYear", on_delete=models.PROTECT, related_name="report_cycles")
    year_groups = models.ManyToManyField("people.Group", related_name="report_cycles", limit_choices_to={"kind": "year"})
    subjects = models.JSONField(default=list, help_text=_("Subject names; empty: every subject the learner is taught"))
    tutor_section = models.BooleanField(default=True)
    head_of_year_section = models.BooleanField(default=False)
    include_attendance = models.BooleanField(default=True)
    point = models.ForeignKey(AssessmentPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              help_text=_("The assessment point whose grades the report shows"))
    deadline = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WRITING)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["institution", "-deadline", "name"]
        constraints = [models.UniqueConstraint(fields=["institution", "academic_year", "name"], name="reportcycle_unique")]

    def __str__(self) -> str:
        return self.name


class ReportComment(InstitutionOwned):
    class Section(models.TextChoices):
        SUBJECT = "subject", _("Subject")
        TUTOR = "tutor", _("Form tutor")
        HEAD_OF_YEAR = "head_of_year", _("Head of year")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Ready to check")
        CHECKED = "checked", _("Checked")
        RETURNED = "returned", _("Returned")

    cycle = models.ForeignKey(ReportCycle, on_delete=models.CASCADE, related_name="comments")
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="report_comments")
    section = models.CharField(max_length=12, choices=Section.choices)
    subject = models.CharField(max_length=100, blank=True)
    group = models.ForeignKey("people.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(help_text=_("May hold placeholders such as {name} and {target}, filled from the records"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_note = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+",
                               help_text=_("Who wrote it first: the report names them"))
    changed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["cycle", "learner", "section", "subject"]
        constraints = [models.UniqueConstraint(fields=["cycle", "learner", "section", "subject"], name="reportcomment_once")]
        indexes = [models.Index(fields=["institution", "cycle", "status"], name="reportcomment_inst_status")]


class CommentBankEntry(InstitutionOwned):
    subject = models.CharField(max_length=100, blank=True, help_text=_("Blank: every subject and section"))
    label = models.CharField(max_length=100, help_text=_("A short name, such as Strength: problem solving"))
    text = models.TextField()
    created_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["institution", "subject", "label"]


class PublishedReport(InstitutionOwned):
    """A learner's report as issued: the whole document frozen, so it never changes afterwards."""

    cycle = models.ForeignKey(ReportCycle, on_delete=models.PROTECT, related_name="published")
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="published_reports")
    issued_at = models.DateTimeField()
    document = models.JSONField()

    class Meta:
        ordering = ["cycle", "learner"]
        constraints = [models.UniqueConstraint(fields=["cycle", "learner"], name="publishedreport_once")]


class ReportRun(InstitutionOwned):
    """A background run that renders a whole cycle to one PDF, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    cycle = models.ForeignKey(ReportCycle, on_delete=models.CASCADE, related_name="runs")
    requested_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="report-runs/", blank=True)
    error = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
