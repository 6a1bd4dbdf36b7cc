"""The shared question format: validation and scoring of every kind, with right, wrong, partial and
malformed responses. Pure Python: no database."""

from __future__ import annotations

import dataclasses

import pytest

from commonroom.quizzes.spec import (
    KINDS,
    QuestionSpec,
    Result,
    correct_response,
    describe_answer,
    normalise_text,
    parse_number,
    score,
    validate_spec,
)

CHOICES = [{"id": "A", "text": "2", "feedback": "Too small"}, {"id": "B", "text": "4", "feedback": ""},
           {"id": "C", "text": "5"}]


def q(kind: str, data: dict, **extra: object) -> QuestionSpec:
    fields = {"feedback_correct": "Well done.", "feedback_incorrect": "Count again."} | extra
    return QuestionSpec(kind=kind, prompt="What?", data=data, **fields)  # type: ignore[arg-type]


SINGLE = q("single", {"choices": CHOICES, "correct": ["B"]})
MULTIPLE = q("multiple", {"choices": CHOICES, "correct": ["A", "C"]}, points=2)
TRUE_FALSE = q("true_false", {"correct": True})
NUMERIC = q("numeric", {"answer": 3.5, "tolerance": 0.05}, points=3)
TEXT = q("text", {"accepted": ["Paris", "paris, france"], "case_sensitive": False})
MATCHING = q("matching", {"left": [{"id": "L1", "text": "cat"}, {"id": "L2", "text": "dog"}, {"id": "L3", "text": "cow"},
                                   {"id": "L4", "text": "hen"}],
                          "right": [{"id": "R1", "text": "meow"}, {"id": "R2", "text": "woof"}, {"id": "R3", "text": "moo"},
                                    {"id": "R4", "text": "cluck"}],
                          "pairs": [["L1", "R1"], ["L2", "R2"], ["L3", "R3"], ["L4", "R4"]]}, points=4)
ORDERING = q("ordering", {"items": [{"id": "I1", "text": "one"}, {"id": "I2", "text": "two"}, {"id": "I3", "text": "three"}],
                          "order": ["I1", "I2", "I3"]})
ALL = {"single": SINGLE, "multiple": MULTIPLE, "true_false": TRUE_FALSE, "numeric": NUMERIC, "text": TEXT,
       "matching": MATCHING, "ordering": ORDERING}


def test_kinds_are_the_seven_shared_kinds():
    assert KINDS == ("single", "multiple", "true_false", "numeric", "text", "matching", "ordering")
    assert set(ALL) == set(KINDS)


def test_spec_is_frozen_with_the_shared_defaults():
    spec = QuestionSpec(kind="true_false", prompt="Sky is blue", data={"correct": True})
    assert (spec.feedback_correct, spec.feedback_incorrect, spec.tags, spec.points, spec.identifier) == ("", "", (), 1, "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.prompt = "x"  # type: ignore[misc]


@pytest.mark.parametrize("kind", KINDS)
def test_every_example_is_valid_and_its_right_answer_scores_full(kind):
    spec = ALL[kind]
    assert validate_spec(spec) == []
    result = score(spec, correct_response(spec))
    assert isinstance(result, Result)
    assert result.correct is True
    assert result.score == spec.points
    assert "Well done." in result.feedback
    assert describe_answer(spec)


# single ------------------------------------------------------------------------------------------


def test_single_right_and_wrong_with_choice_feedback():
    right = score(SINGLE, "B")
    assert (right.correct, right.score, right.feedback, right.choice_feedback) == (True, 1, "Well done.", {})
    wrong = score(SINGLE, "A")
    assert (wrong.correct, wrong.score, wrong.feedback) == (False, 0, "Count again.")
    assert wrong.choice_feedback == {"A": "Too small"}


@pytest.mark.parametrize("response", [None, "", "Z", ["B"], 2, {"B": 1}, True])
def test_single_malformed_is_wrong_not_an_error(response):
    result = score(SINGLE, response)
    assert result.correct is False and result.score == 0


# multiple ----------------------------------------------------------------------------------------


def test_multiple_is_all_or_nothing():
    assert score(MULTIPLE, ["C", "A"]).score == 2
    assert score(MULTIPLE, ["C", "A"]).correct
    partial = score(MULTIPLE, ["A"])
    assert (partial.correct, partial.score) == (False, 0)
    extra = score(MULTIPLE, ["A", "B", "C"])
    assert (extra.correct, extra.score) == (False, 0)
    assert extra.choice_feedback == {"A": "Too small"}


@pytest.mark.parametrize("response", [None, [], [1, 2], 7, {"A": True}])
def test_multiple_malformed(response):
    assert score(MULTIPLE, response) == Result(False, 0, score(MULTIPLE, response).feedback, {})
    assert score(MULTIPLE, response).feedback


# true/false --------------------------------------------------------------------------------------


def test_true_false():
    assert score(TRUE_FALSE, True).correct
    assert not score(TRUE_FALSE, False).correct
    assert score(TRUE_FALSE, "true").correct  # a form posts text
    assert not score(TRUE_FALSE, "False").correct
    false_q = q("true_false", {"correct": False})
    assert score(false_q, False).correct and score(false_q, False).score == 1


@pytest.mark.parametrize("response", [None, "yes", 1, 0, [True]])
def test_true_false_malformed(response):
    assert not score(TRUE_FALSE, response).correct


# numeric -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("response", "right"), [
    ("3.5", True), (3.49, True), ("3.45", True), ("3.55", True), (" 3.5 ", True), ("3.56", False), ("3.44", False),
    (4, False), ("35e-1", True),
])
def test_numeric_with_tolerance(response, right):
    result = score(NUMERIC, response)
    assert result.correct is right
    assert result.score == (3 if right else 0)


def test_numeric_zero_tolerance_and_integer_answer():
    exact = q("numeric", {"answer": 12, "tolerance": 0})
    assert score(exact, "12").correct and score(exact, 12.0).correct
    assert not score(exact, "12.0001").correct


def test_numeric_commas_are_rejected_politely():
    result = score(NUMERIC, "3,5")
    assert not result.correct
    assert "without commas" in result.feedback
    assert parse_number("1,000") == (None, "Write the number without commas; use a point for decimals, for example 3.5.")


@pytest.mark.parametrize("response", ["abc", "", None, "nan", "inf", True, [3.5], float("nan")])
def test_numeric_malformed(response):
    result = score(NUMERIC, response)
    assert not result.correct and result.score == 0 and result.feedback


# text --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("response", "right"), [
    ("Paris", True), ("paris ", True), ("  PARIS", True), ("Paris,   France", True), ("paris,france", False),
    ("London", False), ("Par is", False),
])
def test_text_trimmed_collapsed_and_case_folded(response, right):
    assert score(TEXT, response).correct is right


def test_text_case_sensitive():
    spec = q("text", {"accepted": ["NaCl"], "case_sensitive": True})
    assert score(spec, " NaCl ").correct
    assert not score(spec, "nacl").correct
    assert normalise_text("  a \t b\n c ") == "a b c"


@pytest.mark.parametrize("response", [None, 5, ["Paris"], {"a": "Paris"}])
def test_text_malformed(response):
    assert not score(TEXT, response).correct


# matching ----------------------------------------------------------------------------------------


def test_matching_partial_credit_correct_only_if_all():
    full = score(MATCHING, {"L1": "R1", "L2": "R2", "L3": "R3", "L4": "R4"})
    assert (full.correct, full.score) == (True, 4)
    half = score(MATCHING, {"L1": "R1", "L2": "R2", "L3": "R4", "L4": "R3"})
    assert (half.correct, half.score) == (False, 2)
    one = score(MATCHING, {"L1": "R1"})
    assert (one.correct, one.score) == (False, 1)
    assert "Count again." in half.feedback


@pytest.mark.parametrize("response", [None, ["R1"], "L1=R1", {"L9": "R1"}, {"L1": ["R1"]}])
def test_matching_malformed(response):
    result = score(MATCHING, response)
    assert not result.correct and result.score == 0


# ordering ----------------------------------------------------------------------------------------


def test_ordering_exact_only():
    assert score(ORDERING, ["I1", "I2", "I3"]).correct
    assert score(ORDERING, ("I1", "I2", "I3")).correct
    wrong = score(ORDERING, ["I2", "I1", "I3"])
    assert (wrong.correct, wrong.score) == (False, 0)
    assert not score(ORDERING, ["I1", "I2"]).correct


@pytest.mark.parametrize("response", [None, "I1,I2,I3", {"I1": 1}, 3])
def test_ordering_malformed(response):
    assert not score(ORDERING, response).correct


def test_no_answer_says_so():
    for spec in ALL.values():
        result = score(spec, None)
        assert not result.correct and "No answer" in result.feedback


# validate_spec -----------------------------------------------------------------------------------


def _errors(spec: QuestionSpec, **changes: object) -> list[str]:
    return validate_spec(dataclasses.replace(spec, **changes))  # type: ignore[arg-type]


def test_unknown_kind():
    assert _errors(SINGLE, kind="essay") == ["Unknown kind 'essay': use one of single, multiple, true_false, numeric, "
                                             "text, matching, ordering."]


def test_common_fields():
    assert _errors(SINGLE, prompt="  ") == ["Prompt: enter the question."]
    assert _errors(SINGLE, points=0) == ["Points: a whole number of 1 or more."]
    assert _errors(SINGLE, points=True) == ["Points: a whole number of 1 or more."]
    assert _errors(SINGLE, tags=("fractions", "Ratio")) == [
        "Tags: 'Ratio' is not a lower-case slug (letters, digits and hyphens)."]
    assert _errors(SINGLE, tags=("long-division", "year-7")) == []
    assert _errors(SINGLE, data=["A"]) == ["Data: must be a mapping."]


def test_single_errors():
    assert _errors(SINGLE, data={"choices": CHOICES, "correct": ["A", "B"]}) == [
        "Correct: a single-choice question has exactly one right answer."]
    assert _errors(SINGLE, data={"choices": CHOICES, "correct": ["Z"]}) == ["Correct: 'Z' is not one of the choices."]
    assert _errors(SINGLE, data={"choices": CHOICES[:1], "correct": ["A"]}) == ["Choice: at least 2 are needed."]
    assert _errors(SINGLE, data={"choices": [{"id": "A", "text": ""}, {"id": "A", "text": "x"}], "correct": ["A"]}) == [
        "Choice 1 (A): the text is empty.", "Choice 2: the id A is used twice."]
    assert _errors(SINGLE, data={"choices": [{"text": "x"}, "B"], "correct": "B"}) == [
        "Choice 1: the id is missing.", "Choice 2: must have an id and a text.",
        "Correct: a list of choice ids is needed."]
    assert _errors(SINGLE, data={"correct": ["A"]})[0] == "Choice: a list is needed."


def test_multiple_errors():
    assert _errors(MULTIPLE, data={"choices": CHOICES, "correct": []}) == ["Correct: mark at least one right answer."]
    assert _errors(MULTIPLE, data={"choices": CHOICES, "correct": ["A", "A"]}) == ["Correct: a choice is listed twice."]


def test_true_false_errors():
    assert _errors(TRUE_FALSE, data={"correct": "true"}) == ["Correct: must be true or false."]
    assert _errors(TRUE_FALSE, data={}) == ["Correct: must be true or false."]


def test_numeric_errors():
    assert _errors(NUMERIC, data={"answer": "3.5", "tolerance": 0}) == ["Answer: a number is needed."]
    assert _errors(NUMERIC, data={"answer": 3.5, "tolerance": -1}) == ["Tolerance: a number of 0 or more."]
    assert _errors(NUMERIC, data={"answer": float("inf")}) == ["Answer: a number is needed."]
    assert _errors(NUMERIC, data={"answer": 2}) == []  # tolerance defaults to 0


def test_text_errors():
    assert _errors(TEXT, data={"accepted": []}) == ["Accepted answers: at least one is needed."]
    assert _errors(TEXT, data={"accepted": ["ok", " "]}) == ["Accepted answer 2: is empty."]
    assert _errors(TEXT, data={"accepted": ["ok"], "case_sensitive": "no"}) == ["Case sensitive: must be true or false."]


def test_matching_errors():
    data = dict(MATCHING.data)
    assert _errors(MATCHING, data=data | {"pairs": []}) == ["Pairs: at least one pair is needed."]
    assert _errors(MATCHING, data=data | {"pairs": [["L1", "R9"], ["L1", "R2"], ["L2"]]}) == [
        "Pair 1: 'R9' is not a right item.", "Pair 2: 'L1' is paired twice.", "Pair 3: must be [left id, right id]."]
    assert _errors(MATCHING, data=data | {"left": [{"id": "L1", "text": "cat"}]})[0] == "Left item: at least 2 are needed."


def test_ordering_errors():
    items = ORDERING.data["items"]
    assert _errors(ORDERING, data={"items": items, "order": ["I1", "I2"]}) == ["Order: must list every item exactly once."]
    assert _errors(ORDERING, data={"items": items, "order": ["I1", "I1", "I2"]}) == [
        "Order: must list every item exactly once."]
    assert _errors(ORDERING, data={"items": items}) == ["Order: a list of item ids is needed."]


def test_describe_answer_in_words():
    assert describe_answer(SINGLE) == "4"
    assert describe_answer(MULTIPLE) == "2; 5"
    assert describe_answer(TRUE_FALSE) == "True"
    assert describe_answer(NUMERIC) == "3.5 (give or take 0.05)"
    assert describe_answer(TEXT) == "Paris or paris, france"
    assert describe_answer(MATCHING).startswith("cat → meow; dog → woof")
    assert describe_answer(ORDERING) == "one, two, three"


@pytest.mark.parametrize("response", ["1e999999999", "-1e999999999", 10**400, "9" * 5000])
def test_numeric_huge_numbers_are_wrong_not_an_error(response):
    result = score(NUMERIC, response)
    assert not result.correct and result.score == 0


def test_hostile_spec_data_never_raises():
    weird = q("matching", {"left": [{"id": "L1", "text": "a"}, {"id": "L2", "text": "b"}],
                           "right": [{"id": "R1", "text": "a"}, {"id": "R2", "text": "b"}],
                           "pairs": [[["L1"], "R1"], ["L2", {"x": 1}]]})
    assert validate_spec(weird) == ["Pair 1: must be [left id, right id].", "Pair 2: must be [left id, right id]."]
    assert not score(weird, {"L1": "R1"}).correct
    odd_choices = q("single", {"choices": [{"id": ["A"], "text": "x", "feedback": "y"}], "correct": ["A"]})
    assert validate_spec(odd_choices)
    assert score(odd_choices, "A").choice_feedback == {}  # scored by "correct"; the odd id is skipped
    assert validate_spec(dataclasses.replace(SINGLE, tags=None))  # type: ignore[arg-type]
