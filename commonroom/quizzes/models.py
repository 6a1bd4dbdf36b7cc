"""The question bank, quizzes and attempts.

A ``Question`` is one item of a teacher's bank in the shared format of ``spec.py`` (kind, prompt, data,
feedback, points, identifier) plus its owner, institution, skills (tags) and who it is shared with. A
question shared with the authority or everyone is read across institutions, so ``Question`` is not an
``InstitutionOwned`` row: its ``institution`` is where it was written, and a quiz in another school may
use it (never edit it; copying makes the teacher's own, recording where it came from).

A ``Quiz`` belongs to one teaching group. Its questions are a fixed, ordered list (``QuizQuestion``)
and/or ``pool_size`` questions drawn at random from the questions tagged with one of ``pool_tags`` that
the quiz's author may use. The draw is made once when an attempt starts and stored as the attempt's
``AttemptAnswer`` rows (each holding the question as it was then), so a reload never redraws and a later
edit of a question does not change an attempt already made.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped
from commonroom.quizzes.spec import KINDS, QuestionSpec


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Only me")
    INSTITUTION = "institution", _("My institution")
    AUTHORITY = "authority", _("My local authority")
    EVERYONE = "everyone", _("Everyone on this site")


class Kind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    NUMERIC = "numeric", _("Number")
    TEXT = "text", _("Short text")
    MATCHING = "matching", _("Matching")
    ORDERING = "ordering", _("Ordering")


assert tuple(Kind.values) == KINDS


class Question(TimeStamped):
    Kind = Kind

    institution = models.ForeignKey("organisations.Institution", on_delete=models.PROTECT, related_name="questions")
    owner = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt = models.TextField(help_text=_("Plain text"))
    data = models.JSONField(default=dict, blank=True)
    feedback_correct = models.TextField(blank=True)
    feedback_incorrect = models.TextField(blank=True)
    points = models.PositiveSmallIntegerField(default=1)
    identifier = models.CharField(max_length=200, blank=True)
    skills = models.JSONField(default=list, blank=True, help_text=_("Tags: lower-case slugs"))
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.PRIVATE)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")

    class Meta:
        ordering = ["-updated_at", "pk"]
        indexes = [
            models.Index(fields=["institution", "owner"], name="question_inst_owner"),
            models.Index(fields=["visibility"], name="question_visibility"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(points__gte=1), name="question_points_positive")]

    def __str__(self) -> str:
        return self.prompt[:60]

    def to_spec(self) -> QuestionSpec:
        return QuestionSpec(
            kind=self.kind, prompt=self.prompt, data=self.data, feedback_correct=self.feedback_correct,
            feedback_incorrect=self.feedback_incorrect, tags=tuple(self.skills or ()), points=self.points,
            identifier=self.identifier,
        )

    @classmethod
    def from_spec(cls, spec: QuestionSpec, *, owner: Any, institution: Any, **extra: Any) -> Question:
        """An unsaved question holding ``spec`` (validate it first with ``spec.validate_spec``).

        ``owner`` is a ``people.Person`` or its id, ``institution`` an ``organisations.Institution`` or its id.
        """
        people = {"owner_id" if isinstance(owner, int) else "owner": owner,
                  "institution_id" if isinstance(institution, int) else "institution": institution}
        return cls(
            kind=spec.kind, prompt=spec.prompt, data=spec.data, feedback_correct=spec.feedback_correct,
            feedback_incorrect=spec.feedback_incorrect, skills=list(spec.tags), points=spec.points,
            identifier=spec.identifier, **people, **extra,
        )


HAND_IN_GRACE = datetime.timedelta(minutes=5)
"""How long after a quiz closes an attempt begun while it was open may still be handed in (see services)."""


class Quiz(InstitutionOwned):
    class Mode(models.TextChoices):
        PRACTICE = "practice", _("Practice: feedback straight away")
        TEST = "test", _("Test: feedback after it closes")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SET = "set", _("Set")

    group = models.ForeignKey("people.Group", on_delete=models.CASCADE, related_name="quizzes")
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PRACTICE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Empty for no limit"))
    pool_tags = models.JSONField(default=list, blank=True)
    pool_size = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["institution", "group", "state"], name="quiz_inst_group")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__isnull=True) | models.Q(opens_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="quiz_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def hand_in_until(self) -> datetime.datetime | None:
        """The last moment an attempt may be handed in, and when a test's feedback is shown (None: no close)."""
        return self.closes_at + HAND_IN_GRACE if self.closes_at is not None else None


class QuizQuestion(InstitutionOwned):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["quiz", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="quizquestion_once")]


class Attempt(InstitutionOwned):
    class State(models.TextChoices):
        STARTED = "started", _("In progress")
        SUBMITTED = "submitted", _("Handed in")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="quiz_attempts")
    number = models.PositiveSmallIntegerField(default=1)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.STARTED)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    max_score = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quiz", "learner", "number"]
        indexes = [models.Index(fields=["institution", "learner"], name="attempt_inst_learner")]
        constraints = [models.UniqueConstraint(fields=["quiz", "learner", "number"], name="attempt_number_once")]

    def __str__(self) -> str:
        return f"{self.quiz} – {self.learner_id} #{self.number}"


class AttemptAnswer(InstitutionOwned):
    """One question of one attempt: the question as drawn, the response and its score."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers")
    position = models.PositiveSmallIntegerField()
    spec = models.JSONField(help_text=_("The question as it was when drawn (spec fields)"))
    response = models.JSONField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        indexes = [models.Index(fields=["question", "correct"], name="attemptanswer_question")]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="attemptanswer_position_once")]

    def to_spec(self) -> QuestionSpec:
        fields = dict(self.spec)
        fields["tags"] = tuple(fields.get("tags") or ())
        return QuestionSpec(**fields)


# Adaptive practice (docs/adr/0012-adaptive-practice.md): models of this app kept in their own module.
from commonroom.quizzes.practice_models import PracticeTurn, QuestionRating, SkillRating  # noqa: E402, F401
