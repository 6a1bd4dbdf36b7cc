"""Question <-> QuestionSpec, through the database."""

from __future__ import annotations

import pytest

from commonroom.quizzes.models import Question
from commonroom.quizzes.spec import QuestionSpec, score, validate_spec

pytestmark = pytest.mark.django_db


def test_from_spec_and_back_round_trips(world):
    spec = QuestionSpec(kind="matching", prompt="Match the sounds",
                        data={"left": [{"id": "L1", "text": "cat"}, {"id": "L2", "text": "dog"}],
                              "right": [{"id": "R1", "text": "meow"}, {"id": "R2", "text": "woof"}],
                              "pairs": [["L1", "R1"], ["L2", "R2"]]},
                        feedback_correct="Yes", feedback_incorrect="No", tags=("animals", "sounds"), points=2,
                        identifier="item-7")
    assert validate_spec(spec) == []
    question = Question.from_spec(spec, owner=world.people["a1.teacher"], institution=world.institutions["a1"],
                                  visibility="institution")
    question.save()
    fresh = Question.objects.get(pk=question.pk)
    assert fresh.to_spec() == spec
    assert fresh.skills == ["animals", "sounds"]
    assert fresh.visibility == "institution"
    assert score(fresh.to_spec(), {"L1": "R1", "L2": "R1"}).score == 1.0
