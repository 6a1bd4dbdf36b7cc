"""Course spaces and homework.

A course space belongs to one group (a teaching group; a registration group may have one too). Its
teachers and learners are not stored: they are the group's staff (``GroupStaff``) and members
(``GroupMembership``) in force, so the space is in step with the timetable's groups by construction.

An assignment is work set for a group. A submission is one learner's hand-in (and the teacher's mark
and feedback), one row per learner and assignment: a resubmission replaces the text or file and counts
the attempt, the audit trail keeps when each hand-in happened. An assignment carries an ordered set of
shared resources (``AssignmentResource``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned


class CourseSpace(InstitutionOwned):
    group = models.OneToOneField("people.Group", on_delete=models.CASCADE, related_name="course_space")
    summary = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["institution", "group"], name="coursespace_inst_group")]

    def __str__(self) -> str:
        return self.group.name


class Section(InstitutionOwned):
    """A topic or a week of a course space: a title, plain text and links."""

    space = models.ForeignKey(CourseSpace, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text=_("Plain text; line breaks are kept"))
    links = models.JSONField(default=list, blank=True, help_text=_("A list of {title, url}; http and https only"))

    class Meta:
        ordering = ["space", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Assignment(InstitutionOwned):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SET = "set", _("Set")

    group = models.ForeignKey("people.Group", on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    due_at = models.DateTimeField()
    expected_minutes = models.PositiveSmallIntegerField(default=30)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    allow_late = models.BooleanField(default=True, help_text=_("Accept work after the due time, recorded as late"))
    grade_set = models.ForeignKey("records.GradeSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mark_out_of = models.PositiveSmallIntegerField(null=True, blank=True)
    aspect = models.ForeignKey("records.Aspect", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey("records.AssessmentPoint", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_at", "pk"]
        indexes = [models.Index(fields=["institution", "group", "state", "due_at"], name="assignment_inst_group")]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade_set__isnull=True) | models.Q(mark_out_of__isnull=True),
                                   name="assignment_one_kind_of_mark"),
            models.CheckConstraint(condition=models.Q(aspect__isnull=True, point__isnull=True)
                                   | models.Q(aspect__isnull=False, point__isnull=False),
                                   name="assignment_aspect_with_point"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def returned(self) -> bool:
        return self.returned_at is not None


class AssignmentResource(InstitutionOwned):
    """A resource attached to homework, in order. The row and the resource both belong to the homework's school
    (a resource shared by another school is copied into the teacher's bank first). Withdrawing the resource
    removes it from the homework, never the homework."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="resource_links")
    resource = models.ForeignKey("resources.Resource", on_delete=models.CASCADE, related_name="assignment_links")
    position = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["assignment", "position", "pk"]
        indexes = [models.Index(fields=["institution", "assignment", "position"], name="assignmentres_inst_assign")]
        constraints = [models.UniqueConstraint(fields=["assignment", "resource"], name="assignmentres_once")]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.resource_id}"


def submission_path(instance: Submission, filename: str) -> str:
    # The stored name never carries the uploaded name: it is served under its own name, as an attachment.
    import uuid

    return f"learning/submissions/{instance.institution_id}/{uuid.uuid4().hex}"


def feedback_path(instance: Submission, filename: str) -> str:
    import uuid

    return f"learning/feedback/{instance.institution_id}/{uuid.uuid4().hex}"


class Submission(InstitutionOwned):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="submissions")
    text = models.TextField(blank=True)
    file = models.FileField(upload_to=submission_path, blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    on_paper = models.BooleanField(default=False)
    handed_in_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    mark = models.CharField(max_length=20, blank=True)
    feedback = models.TextField(blank=True)
    marked_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(null=True, blank=True)
    # The teacher's annotated file (the learner's work marked up, a PDF or an image): the learner and family
    # get it once the work is returned, like the mark.
    feedback_file = models.FileField(upload_to=feedback_path, blank=True, max_length=200)
    feedback_file_name = models.CharField(max_length=200, blank=True)
    feedback_file_type = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "learner"], name="submission_once")]
        indexes = [models.Index(fields=["institution", "learner"], name="submission_inst_learner")]

    def __str__(self) -> str:
        return f"{self.assignment} – {self.learner_id}"

    @property
    def handed_in(self) -> bool:
        return self.handed_in_at is not None
