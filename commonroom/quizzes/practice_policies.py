"""Who may practise, and who sees a learner's practice and skills, in the school's words.

- A learner practises a quiz adaptively when they are in the quiz's group (membership in force) and the
  quiz is set, in practice mode, and open (no opening time, or it has passed).
- A practice turn (one question served and answered) is seen by the learner and by those who manage the
  group's teaching (its teachers and tutors, the school's head and senior leaders), never by someone
  barred from the learner; only the learner answers it, while they may still practise the quiz.
- A learner's skill ratings (mastery per skill) are part of their record: seen by whoever may see the
  learner (``people.policies.LEARNER_VIEW``: the learner, parents and carers not barred, their teachers,
  whole-institution staff, the authority's officers), never by someone barred.
- A group's mastery table is for those who manage the group's course (``Group.manage_course``).
- Question difficulties are not personal data and are read with the question.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from commonroom.authz.registry import register
from commonroom.learning.policies import COURSE_MANAGE, ThroughGroup
from commonroom.people.policies import LEARNER_VIEW, ThroughLearner, is_the_learner, member_of_group, not_barred
from commonroom.quizzes.models import Quiz
from commonroom.quizzes.practice_models import PracticeTurn, SkillRating


def _practisable(quiz: Any) -> bool:
    return (quiz.state == Quiz.State.SET and quiz.mode == Quiz.Mode.PRACTICE
            and (quiz.opens_at is None or quiz.opens_at <= timezone.now()))


def _practisable_q(prefix: str = "") -> Q:
    return (Q(**{f"{prefix}state": Quiz.State.SET, f"{prefix}mode": Quiz.Mode.PRACTICE})
            & (Q(**{f"{prefix}opens_at__isnull": True}) | Q(**{f"{prefix}opens_at__lte": timezone.now()})))


class _PractisableNow(ThroughGroup):
    """The group rule, on a quiz that may be practised now (the time is read when the filter is built)."""

    def __init__(self, path: str = "group", prefix: str = "", quiz_of: Any = None) -> None:
        self.prefix, self.quiz_of = prefix, quiz_of or (lambda row: row)
        super().__init__(member_of_group, path, extra_check=lambda row: _practisable(self.quiz_of(row)))

    def _q_row(self, actor: Any) -> Q:
        return super()._q_row(actor) & _practisable_q(self.prefix)


QUIZ_PRACTISE = _PractisableNow()
register(Quiz, practise=QUIZ_PRACTISE)

_turn_managed = ThroughGroup(COURSE_MANAGE, "quiz__group") & ThroughLearner(not_barred)
register(
    PracticeTurn,
    view=ThroughLearner(is_the_learner, name="the learner") | _turn_managed,
    answer=ThroughLearner(is_the_learner, name="the learner")
    & _PractisableNow("quiz__group", "quiz__", quiz_of=lambda turn: turn.quiz),
)
register(SkillRating, view=ThroughLearner(LEARNER_VIEW))
