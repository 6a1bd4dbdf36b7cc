"""Adaptive practice: a learner's rating per skill, a question's difficulty, and each question served.

Imported by ``quizzes/models.py`` (these are models of the quizzes app). The method is in
docs/adr/0012-adaptive-practice.md and ``adaptive.py``.

- ``SkillRating``: one learner's Elo rating on one skill (a question tag) at one institution, with how many
  answers it rests on. Rows are created when first needed and locked while an answer updates them.
- ``QuestionRating``: a question's difficulty (shared by every school that uses the question) and how many
  answers it rests on. Not personal data.
- ``PracticeTurn``: one question served to a learner in a practice quiz, as it was served (``spec``), then
  their response, score and the chance of success predicted at the time. At most one turn of a learner in
  a quiz is open (served, not answered); answering a turn that is already answered changes nothing.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned


class SkillRating(InstitutionOwned):
    learner = models.ForeignKey("people.Learner", on_delete=models.CASCADE, related_name="skill_ratings")
    skill = models.CharField(max_length=100)
    rating = models.FloatField(default=0.0)
    answers = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["learner", "skill"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "learner", "skill"], name="skillrating_once"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.skill}: {self.rating:.2f}"


class QuestionRating(models.Model):
    question = models.OneToOneField("quizzes.Question", primary_key=True, on_delete=models.CASCADE, related_name="rating")
    difficulty = models.FloatField(default=0.0)
    answers = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.question_id}: {self.difficulty:.2f}"


class PracticeTurn(InstitutionOwned):
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="practice_turns")
    learner = models.ForeignKey("people.Learner", on_delete=models.PROTECT, related_name="practice_turns")
    question = models.ForeignKey("quizzes.Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    number = models.PositiveIntegerField(help_text=_("1 for the learner's first question in this quiz"))
    spec = models.JSONField(help_text=_("The question as it was served (spec fields)"))
    skills = models.JSONField(default=list, help_text=_("The skills the turn practises (the question's tags)"))
    expected = models.FloatField(null=True, blank=True, help_text=_("The predicted chance of success, when answered"))
    answered_at = models.DateTimeField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    feedback = models.TextField(blank=True)

    class Meta:
        ordering = ["quiz", "learner", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "learner", "number"], name="practiceturn_number_once"),
            models.UniqueConstraint(fields=["quiz", "learner"], condition=models.Q(answered_at__isnull=True),
                                    name="practiceturn_one_open"),
        ]
        indexes = [models.Index(fields=["institution", "learner"], name="practiceturn_inst_learner")]

    def __str__(self) -> str:
        return f"{self.quiz_id} {self.learner_id} #{self.number}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
