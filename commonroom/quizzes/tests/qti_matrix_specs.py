"""Authorisation specs for QTI import and export, merged into this app's ``matrix_specs``.

Targets are those of ``matrix_specs`` (the quizzes testing world): a question ``<inst>.<visibility>`` written by
``<inst>.teacher``; a quiz ``a1.maths`` ("Fractions practice"), ``a1.maths.test``, ``a1.art.draft``, ``b1.maths``.
Who may: importing and the export page are for those who keep a bank (``is_author``); a question is exported by
those who may use it; a quiz by those who see its results."""

from __future__ import annotations

from collections.abc import Callable

from commonroom.testing import oracle_quizzes as oq
from commonroom.testing.matrix import Spec
from commonroom.testing.world import World


def specs(question: Callable[[World, str], int], quiz: Callable[[World, str], int], questions: list[str],
          quizzes: list[str]) -> tuple[dict[str, Spec], dict[tuple[str, str], Spec]]:
    """(PAGE_SPECS, API_SPECS) for QTI, given the app's lookups and targets."""

    def author(persona: str, target: str) -> bool:
        return oq.is_author(persona)

    pages = {
        "qti:import": Spec(lambda w, t: "/quizzes/qti/import/", author),
        "qti:export": Spec(lambda w, t: "/quizzes/qti/export/", author),
        "qti:export_quiz": Spec(lambda w, t: f"/quizzes/qti/quizzes/{quiz(w, t)}/export/", oq.may_see_results,
                                quizzes),
    }
    api = {
        # JSON carries no file: those who may import are told to attach one (422); everyone else gets 404.
        ("post", "/api/v1/qti/import"): Spec(lambda w, t: "", author, ok=(422,),
                                             body=lambda w, t: {"visibility": "private"}),
        ("post", "/api/v1/qti/export"): Spec(lambda w, t: "", oq.may_use_question, questions,
                                             body=lambda w, t: {"question_ids": [question(w, t)]}),
        ("get", "/api/v1/quizzes/{quiz_id}/qti"): Spec(lambda w, t: "", oq.may_see_results, quizzes),
    }
    return pages, api


CONTRACT_BODIES = {
    ("post", "/api/v1/qti/import"): {"visibility": "private"},
    ("post", "/api/v1/qti/export"): {"question_ids": [1], "version": "2.1"},
}
