"""Authorisation specs for QTI import and export (merged into ``matrix_specs`` of this app).

Targets: a question is ``<owner persona>:<visibility>`` (made in ``prepare``); a quiz is its group (``a1.maths``:
the quiz "QTI matrix quiz" with one fixed question, made in ``prepare``)."""

from __future__ import annotations

from commonroom.testing import oracle_qti as oq
from commonroom.testing.matrix import Spec
from commonroom.testing.world import World

QUESTIONS = ["a1.teacher:private", "a1.teacher:institution", "a1.teacher:authority", "b1.teacher:everyone"]
QUIZ_GROUPS = ["a1.maths", "b1.maths"]
QUIZ_TITLE = "QTI matrix quiz"
MISSING_ID = 987654321


def _question(world: World, target: str) -> int:
    from commonroom.quizzes.models import Question

    owner, visibility = target.split(":")
    return Question.objects.get(owner=world.people[owner], identifier=f"qti-matrix-{visibility}").pk


def _quiz(world: World, target: str) -> int:
    from commonroom.quizzes.models import Quiz

    return Quiz.objects.get(group=world.groups[target], title=QUIZ_TITLE).pk


def prepare(world: World) -> None:
    from commonroom.quizzes.models import Question, Quiz, QuizQuestion
    from commonroom.quizzes.spec import QuestionSpec

    for target in QUESTIONS:
        owner, visibility = target.split(":")
        Question.from_spec(
            QuestionSpec("true_false", f"Matrix {visibility}", {"correct": True}, identifier=f"qti-matrix-{visibility}"),
            owner=world.people[owner], institution=world.institutions[owner.split(".")[0]], visibility=visibility,
        ).save()
    for key in QUIZ_GROUPS:
        group = world.groups[key]
        inst = key.split(".")[0]
        quiz = Quiz.objects.create(institution=group.institution, group=group, title=QUIZ_TITLE)
        question = Question.objects.get(owner=world.people["a1.teacher"], identifier="qti-matrix-private") \
            if inst == "a1" else Question.objects.get(owner=world.people["b1.teacher"])
        QuizQuestion.objects.create(institution=group.institution, quiz=quiz, question=question, position=1)


PAGE_SPECS = {
    "qti:import": Spec(lambda w, t: "/quizzes/qti/import/", oq.may_keep_bank),
    "qti:export": Spec(lambda w, t: "/quizzes/qti/export/", oq.may_keep_bank),
    "qti:export_quiz": Spec(lambda w, t: f"/quizzes/qti/quizzes/{_quiz(w, t)}/export/", oq.may_export_quiz,
                            QUIZ_GROUPS),
}

API_SPECS = {
    # JSON carries no file: those who may import are told to attach one (422); everyone else gets 404.
    ("post", "/api/v1/qti/import"): Spec(lambda w, t: "", oq.may_keep_bank, ok=(422,),
                                         body=lambda w, t: {"visibility": "private"}),
    ("post", "/api/v1/qti/export"): Spec(lambda w, t: "", oq.may_read_question, QUESTIONS,
                                         body=lambda w, t: {"question_ids": [_question(w, t)]}),
    ("get", "/api/v1/quizzes/{quiz_id}/qti"): Spec(lambda w, t: "", oq.may_export_quiz, QUIZ_GROUPS),
}

PLACEHOLDERS = {"{quiz_id}": _quiz}

CONTRACT_BODIES = {
    ("post", "/api/v1/qti/import"): {"visibility": "private"},
    ("post", "/api/v1/qti/export"): {"question_ids": [1], "version": "2.1"},
}


def contract_path_values(world: World) -> dict[str, list[int]]:
    from commonroom.quizzes.models import Quiz

    if not Quiz.objects.filter(title=QUIZ_TITLE).exists():
        prepare(world)
    return {"quiz_id": [_quiz(world, "a1.maths"), MISSING_ID]}
