"""Authorisation specs for questions, quizzes and attempts (see ``commonroom/testing/matrix.py``).

Targets: a question ``<inst>.<visibility>`` (written by ``<inst>.teacher``); a quiz ``<inst>.maths``
("Fractions practice", set), ``<inst>.maths.test`` ("Maths test", set) or ``<inst>.art.draft`` (a draft);
a group ``<inst>.<suffix>``; an attempt by its learner ``<inst>.learnerA1`` (handed in)."""

from __future__ import annotations

from commonroom.testing import oracle_quizzes as oq
from commonroom.testing.matrix import SIGNED_IN, Spec
from commonroom.testing.world import World

QUESTIONS = ["a1.private", "a1.institution", "a1.authority", "a1.everyone", "b1.institution"]
QUIZZES = ["a1.maths", "a1.maths.test", "a1.art.draft", "b1.maths"]
GROUPS = ["a1.maths", "a1.art", "a1.formA", "b1.maths"]
ATTEMPTS = ["a1.learnerA1", "b1.learnerA1"]
TITLES = {"maths": "Fractions practice", "maths.test": "Maths test", "art.draft": "Art draft"}


def _question(world: World, target: str) -> int:
    from commonroom.quizzes.testing_world import question_named

    return question_named(world, target).pk


def _quiz(world: World, target: str) -> int:
    from commonroom.quizzes.models import Quiz

    inst, _dot, rest = target.partition(".")
    return Quiz.objects.get(institution=world.institutions[inst], title=TITLES[rest]).pk


def _attempt(world: World, target: str) -> int:
    from commonroom.quizzes.models import Attempt

    return Attempt.objects.get(learner=world.learners[target], quiz__title="Fractions practice").pk


def _group(world: World, target: str) -> int:
    return world.groups[target].pk


def _author(persona: str, target: str) -> bool:
    return oq.is_author(persona)


def _question_body(world: World, target: str) -> dict:
    return {"kind": "true_false", "prompt": "From the matrix", "data": {"correct": True}, "tags": ["matrix"]}


def _quiz_body(world: World, target: str) -> dict:
    return {"title": "From the matrix", "question_ids": [], "pool_tags": ["fractions"], "pool_size": 1}


def _submit_body(world: World, target: str) -> dict:
    from commonroom.quizzes.models import Attempt

    attempt = Attempt.objects.get(learner=world.learners[target], quiz__title="Fractions practice")
    return {"token": str(attempt.token), "answers": {"1": "B"}}


PAGE_SPECS = {
    "quizzes:bank": Spec(lambda w, t: "/questions/", _author),
    "quizzes:question_new": Spec(lambda w, t: "/questions/new/?kind=numeric", _author),
    "quizzes:question": Spec(lambda w, t: f"/questions/{_question(w, t)}/", oq.may_use_question, QUESTIONS),
    "quizzes:question_edit": Spec(lambda w, t: f"/questions/{_question(w, t)}/edit/", oq.may_manage_question, QUESTIONS),
    "quizzes:question_copy": Spec(lambda w, t: f"/questions/{_question(w, t)}/copy/", oq.may_use_question,
                                  ["a1.institution", "b1.everyone"], method="post", ok=(302,)),
    "quizzes:my_quizzes": Spec(lambda w, t: "/quizzes/", SIGNED_IN),
    "quizzes:group_quizzes": Spec(lambda w, t: f"/groups/{_group(w, t)}/quizzes/", oq.may_view_group_quizzes, GROUPS),
    "quizzes:quiz_new": Spec(lambda w, t: f"/groups/{_group(w, t)}/quizzes/new/", oq.may_manage_group_quizzes, GROUPS),
    "quizzes:quiz": Spec(lambda w, t: f"/quizzes/{_quiz(w, t)}/", oq.may_view_quiz, QUIZZES),
    "quizzes:quiz_edit": Spec(lambda w, t: f"/quizzes/{_quiz(w, t)}/edit/", oq.may_manage_quiz, QUIZZES),
    "quizzes:take": Spec(lambda w, t: f"/quizzes/{_quiz(w, t)}/take/", oq.may_take_quiz, QUIZZES, ok=(302,)),
    "quizzes:results": Spec(lambda w, t: f"/quizzes/{_quiz(w, t)}/results/", oq.may_see_results, QUIZZES),
    "quizzes:attempt": Spec(lambda w, t: f"/quiz-attempts/{_attempt(w, t)}/", oq.may_view_attempt, ATTEMPTS),
}

API_SPECS = {
    ("get", "/api/v1/questions"): Spec(lambda w, t: "", SIGNED_IN),
    ("post", "/api/v1/questions"): Spec(lambda w, t: "", _author, ok=(201,), body=_question_body),
    ("get", "/api/v1/questions/{question_id}"): Spec(lambda w, t: "", oq.may_use_question, QUESTIONS),
    ("get", "/api/v1/groups/{group_id}/quizzes"): Spec(lambda w, t: "", oq.may_view_group_quizzes, GROUPS),
    ("post", "/api/v1/groups/{group_id}/quizzes"): Spec(lambda w, t: "", oq.may_manage_group_quizzes, GROUPS, ok=(201,),
                                                        body=_quiz_body),
    ("get", "/api/v1/quizzes/{quiz_id}"): Spec(lambda w, t: "", oq.may_view_quiz, QUIZZES),
    ("post", "/api/v1/quizzes/{quiz_id}/attempts"): Spec(lambda w, t: "", oq.may_take_quiz, QUIZZES, ok=(201,)),
    ("post", "/api/v1/attempts/{attempt_id}/submit"): Spec(lambda w, t: "", lambda p, t: p == t, ATTEMPTS,
                                                           body=_submit_body),
    ("get", "/api/v1/attempts/{attempt_id}"): Spec(lambda w, t: "", oq.may_view_attempt, ATTEMPTS),
    ("get", "/api/v1/quizzes/{quiz_id}/stats"): Spec(lambda w, t: "", oq.may_see_results, QUIZZES),
}

PLACEHOLDERS = {"{question_id}": _question, "{quiz_id}": _quiz, "{attempt_id}": _attempt}

CONTRACT_BODIES = {
    ("post", "/api/v1/questions"): {"kind": "true_false", "prompt": "Contract", "data": {"correct": True}},
    ("post", "/api/v1/groups/{group_id}/quizzes"): {"title": "Contract", "pool_tags": ["fractions"], "pool_size": 1},
    ("post", "/api/v1/quizzes/{quiz_id}/attempts"): {},
    ("post", "/api/v1/attempts/{attempt_id}/submit"): {"token": "00000000-0000-0000-0000-000000000000", "answers": {}},
}


MISSING_ID = 987654321


def contract_path_values(world: World) -> dict[str, list[int]]:
    return {"question_id": [_question(world, "a1.institution"), MISSING_ID],
            "quiz_id": [_quiz(world, "a1.maths"), MISSING_ID],
            "attempt_id": [_attempt(world, "a1.learnerA1"), MISSING_ID]}


# QTI import and export (commonroom/quizzes/qti_views.py, qti_api.py).
from commonroom.quizzes.tests import qti_matrix_specs  # noqa: E402

_QTI_PAGES, _QTI_API = qti_matrix_specs.specs(_question, _quiz, QUESTIONS, QUIZZES)
PAGE_SPECS.update(_QTI_PAGES)
API_SPECS.update(_QTI_API)
CONTRACT_BODIES.update(qti_matrix_specs.CONTRACT_BODIES)
# Adaptive practice (practice_matrix_specs.py).
from commonroom.quizzes.tests import practice_matrix_specs as _practice  # noqa: E402

PAGE_SPECS.update(_practice.PAGE_SPECS)
API_SPECS.update(_practice.API_SPECS)
PLACEHOLDERS.update(_practice.PLACEHOLDERS)
CONTRACT_BODIES.update(_practice.CONTRACT_BODIES)
_quiz_path_values = contract_path_values


def contract_path_values(world: World) -> dict[str, list[int]]:  # type: ignore[no-redef]
    return {**_quiz_path_values(world), **_practice.contract_path_values(world)}
