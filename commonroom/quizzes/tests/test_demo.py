"""The demo hook: generated questions, quizzes and attempts on the ``tiny`` demo."""

from __future__ import annotations

import pytest

from commonroom.demo import generator
from commonroom.people.models import Group
from commonroom.quizzes.models import Attempt, AttemptAnswer, Question, Quiz
from commonroom.quizzes.spec import score, validate_spec

pytestmark = pytest.mark.django_db


def test_demo_gives_every_taught_group_quizzes_and_some_attempts() -> None:
    generator.build("tiny", reset=True)
    taught = Group.objects.filter(kind=Group.Kind.TEACHING, staff__role="teacher").distinct()
    assert taught.exists()
    assert Quiz.objects.filter(mode="practice").count() == Quiz.objects.filter(mode="test").count() == taught.count()
    assert all(validate_spec(q.to_spec()) == [] for q in Question.objects.all())
    assert Attempt.objects.filter(state="submitted").exists()
    for answer in AttemptAnswer.objects.all()[:200]:  # stored scores agree with the scoring rules
        assert score(answer.to_spec(), answer.response).score == answer.score
    for attempt in Attempt.objects.all()[:50]:
        assert attempt.score == sum(a.score for a in attempt.answers.all())
