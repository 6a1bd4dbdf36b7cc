"""The answer form gives each kind's response in the shape the scorer expects, and says what is wrong."""

from __future__ import annotations

import pytest

from commonroom.quizzes.practice_forms import AnswerForm
from commonroom.quizzes.spec import QuestionSpec, score

ITEMS = [{"id": "I1", "text": "one"}, {"id": "I2", "text": "two"}, {"id": "I3", "text": "three"}]
SPECS = {
    "single": QuestionSpec("single", "Pick", {"choices": [{"id": "A", "text": "a"}, {"id": "B", "text": "b"}],
                                              "correct": ["B"]}),
    "multiple": QuestionSpec("multiple", "Pick", {"choices": [{"id": "A", "text": "a"}, {"id": "B", "text": "b"},
                                                              {"id": "C", "text": "c"}], "correct": ["A", "C"]}),
    "true_false": QuestionSpec("true_false", "Is it?", {"correct": False}),
    "numeric": QuestionSpec("numeric", "How many?", {"answer": 3.5, "tolerance": 0.05}),
    "text": QuestionSpec("text", "Capital of France?", {"accepted": ["Paris"], "case_sensitive": False}),
    "matching": QuestionSpec("matching", "Match", {"left": [{"id": "L1", "text": "x"}, {"id": "L2", "text": "y"}],
                                                   "right": [{"id": "R1", "text": "1"}, {"id": "R2", "text": "2"}],
                                                   "pairs": [["L1", "R2"], ["L2", "R1"]]}),
    "ordering": QuestionSpec("ordering", "Order", {"items": ITEMS, "order": ["I3", "I1", "I2"]}),
}
RIGHT = {
    "single": {"response": "B"},
    "multiple": {"response": ["A", "C"]},
    "true_false": {"response": "false"},
    "numeric": {"response": " 3.49 "},
    "text": {"response": "  paris "},
    "matching": {"match_L1": "R2", "match_L2": "R1"},
    "ordering": {"order_I3": "1", "order_I1": "2", "order_I2": "3"},
}


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_a_right_answer_through_the_form_scores_right(kind):
    form = AnswerForm({"turn": "1", **RIGHT[kind]}, spec=SPECS[kind])
    assert form.is_valid(), form.errors
    assert score(SPECS[kind], form.response()).correct


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_an_empty_form_says_what_is_missing(kind):
    form = AnswerForm({"turn": "1"}, spec=SPECS[kind])
    assert not form.is_valid()
    messages = [m for errors in form.errors.values() for m in errors]
    assert messages and all(m and "required" not in m.lower() for m in messages)


def test_a_number_with_a_comma_is_refused_politely():
    form = AnswerForm({"turn": "1", "response": "3,5"}, spec=SPECS["numeric"])
    assert not form.is_valid()
    assert "without commas" in form.errors["response"][0]


def test_two_items_in_one_position_are_refused():
    form = AnswerForm({"turn": "1", "order_I1": "1", "order_I2": "1", "order_I3": "2"}, spec=SPECS["ordering"])
    assert not form.is_valid()
    assert form.non_field_errors() == ["Give each item a different position."]


def test_a_choice_that_is_not_offered_is_refused():
    form = AnswerForm({"turn": "1", "response": "Z"}, spec=SPECS["single"])
    assert not form.is_valid() and "response" in form.errors


def test_ordering_items_are_shown_shuffled_by_turn_but_the_same_for_one_turn():
    orders = {tuple(AnswerForm(spec=SPECS["ordering"], shuffle_seed=seed).fields) for seed in range(10)}
    assert len(orders) > 1
    assert list(AnswerForm(spec=SPECS["ordering"], shuffle_seed=3).fields) == list(
        AnswerForm(spec=SPECS["ordering"], shuffle_seed=3).fields)
