"""Adaptive practice's pages and API operations in the authorisation matrix (see commonroom/testing/matrix.py).

Targets: a school (``a1``: the practice quiz of its maths group), a learner (``a1.learnerA1``: their answered or
open turn in it, or their skills) or a group (its mastery table)."""

from __future__ import annotations

from typing import Any

from commonroom.testing import oracle, oracle_learning
from commonroom.testing import oracle_practice as op
from commonroom.testing.matrix import SIGNED_IN, Spec

SCHOOLS = ["a1", "b1"]
TURNS = ["a1.learnerA1", "b1.learnerA1"]
LEARNERS = ["a1.learnerA1", "a1.learnerA2", "a1.leaver", "b1.learnerA1", "solo.learnerA1"]
GROUPS = ["a1.maths", "a1.art", "a1.formA", "b1.maths"]


def _quiz(world: Any, target: str) -> int:
    from commonroom.quizzes.practice_testing_world import practice_quiz

    return int(practice_quiz(world, target).pk)


def _answered(world: Any, target: str) -> int:
    from commonroom.quizzes.practice_testing_world import turn_of

    return int(turn_of(world, target, answered=True).pk)


def _open(world: Any, target: str) -> int:
    from commonroom.quizzes.practice_testing_world import turn_of

    return int(turn_of(world, target, answered=False).pk)


def _practise(persona: str, target: str) -> bool:
    return op.may_practise(persona, f"{target}.maths")


PAGE_SPECS = {
    "practice:home": Spec(lambda w, t: "/practice/", SIGNED_IN),
    "practice:my_skills": Spec(lambda w, t: "/practice/skills/", SIGNED_IN),
    "practice:practice": Spec(lambda w, t: f"/practice/{_quiz(w, t)}/", _practise, SCHOOLS),
    "practice:turn": Spec(lambda w, t: f"/practice/turns/{_answered(w, t)}/", op.may_view_turn, TURNS),
    "practice:learner_skills": Spec(lambda w, t: f"/learners/{w.learners[t].pk}/skills/", oracle.may_view_learner,
                                    LEARNERS),
    "practice:group_skills": Spec(lambda w, t: f"/groups/{w.groups[t].pk}/skills/", oracle_learning.may_manage_space,
                                  GROUPS),
}

API_SPECS = {
    ("get", "/api/v1/practice/{practice_quiz_id}/next"): Spec(lambda w, t: "", _practise, SCHOOLS),
    ("post", "/api/v1/practice/turns/{practice_turn_id}/answer"): Spec(
        lambda w, t: "", op.may_answer_turn, TURNS, body=lambda w, t: {"response": "B"}),
    ("get", "/api/v1/practice/skills"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/learners/{learner_id}/skills"): Spec(lambda w, t: "", oracle.may_view_learner, LEARNERS),
    ("get", "/api/v1/groups/{group_id}/skills"): Spec(lambda w, t: "", oracle_learning.may_manage_space, GROUPS),
}

PLACEHOLDERS = {"{practice_quiz_id}": _quiz, "{practice_turn_id}": _open}

CONTRACT_BODIES = {
    ("post", "/api/v1/practice/turns/{practice_turn_id}/answer"): {"response": "A"},
}


def contract_path_values(world: Any) -> dict[str, list[int]]:
    missing = 2**31 - 1
    return {"practice_quiz_id": [_quiz(world, "a1"), missing], "practice_turn_id": [_open(world, "a1.learnerA1"), missing]}
