"""Questions and quizzes in the persona world.

At a1 and b1, the teacher's bank holds four questions, one per sharing level: "World <inst> private"
(single choice, tag ``fractions``), "... institution" (numeric, ``fractions``), "... authority" (true/false,
``algebra``) and "... everyone" (short text, ``algebra``). In maths: "Fractions practice" (practice, set,
open, the private and institution questions), "Maths test" (test, set, closes in a week, the
institution question), in art "Art draft" (a draft by teacher2). learnerA1 has handed in one practice
attempt (question 1 right, question 2 wrong); learnerB1 has one in progress.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from commonroom.quizzes.models import Attempt, AttemptAnswer, Question, Quiz, QuizQuestion
from commonroom.quizzes.services import spec_fields
from commonroom.quizzes.spec import QuestionSpec, score

QUESTIONS = {
    "private": QuestionSpec("single", "What is 1/2 + 1/4?", {"choices": [
        {"id": "A", "text": "2/6", "feedback": "Denominators are not added."}, {"id": "B", "text": "3/4", "feedback": ""}],
        "correct": ["B"]}, "Yes: 2/4 + 1/4.", "Write both as quarters first.", ("fractions",)),
    "institution": QuestionSpec("numeric", "What is 3/4 as a decimal?", {"answer": 0.75, "tolerance": 0},
                                "Right.", "Divide 3 by 4.", ("fractions",)),
    "authority": QuestionSpec("true_false", "2x + 3x = 5x", {"correct": True}, "Like terms add.", "Collect like terms.",
                              ("algebra",)),
    "everyone": QuestionSpec("text", "What do we call the number in front of x in 3x?", {"accepted": ["coefficient"]},
                             "Yes.", "It is the coefficient.", ("algebra",)),
}


def extend(world) -> None:  # type: ignore[no-untyped-def]
    from commonroom.quizzes import practice_testing_world

    for key in ("a1", "b1"):
        _school(world, key, timezone.now())
    practice_testing_world.extend(world)  # adaptive practice


def question_named(world, name: str) -> Question:  # type: ignore[no-untyped-def]
    inst, _dot, visibility = name.partition(".")
    return Question.objects.get(institution=world.institutions[inst], prompt=QUESTIONS[visibility].prompt,
                                owner=world.people[f"{inst}.teacher"], visibility=visibility)


def _school(world, key: str, now: datetime.datetime) -> None:  # type: ignore[no-untyped-def]
    inst = world.institutions[key]
    teacher = world.people[f"{key}.teacher"]
    questions = {}
    for visibility, spec in QUESTIONS.items():
        q = Question.from_spec(spec, owner=teacher, institution=inst, visibility=visibility)
        q.save()
        questions[visibility] = q

    def quiz(group: str, title: str, mode: str, state: str, fixed: list[str], by: str = "teacher", **extra: object) -> Quiz:
        made = Quiz.objects.create(institution=inst, group=world.groups[f"{key}.{group}"], title=title, mode=mode,
                                   state=state, created_by=world.people[f"{key}.{by}"], instructions="Do your best.", **extra)
        for n, name in enumerate(fixed):
            QuizQuestion.objects.create(institution=inst, quiz=made, question=questions[name], position=n)
        return made

    practice = quiz("maths", "Fractions practice", "practice", "set", ["private", "institution"])
    quiz("maths", "Maths test", "test", "set", ["institution"], closes_at=now + datetime.timedelta(days=7))
    quiz("art", "Art draft", "practice", "draft", ["institution"], by="teacher2")

    def attempt(who: str, responses: list[object] | None) -> Attempt:
        made = Attempt.objects.create(institution=inst, quiz=practice, learner=world.learners[f"{key}.{who}"],
                                      started_at=now - datetime.timedelta(minutes=10), max_score=2)
        total = 0.0
        for n, name in enumerate(("private", "institution"), start=1):
            spec = questions[name].to_spec()
            answer = AttemptAnswer(institution=inst, attempt=made, question=questions[name], position=n,
                                   spec=spec_fields(spec))
            if responses is not None:
                result = score(spec, responses[n - 1])
                answer.response, answer.correct, answer.score = responses[n - 1], result.correct, result.score
                total += result.score
            answer.save()
        if responses is not None:
            made.state, made.submitted_at, made.score = Attempt.State.SUBMITTED, now - datetime.timedelta(minutes=5), total
            made.save()
        return made

    attempt("learnerA1", ["B", "0.5"])
    attempt("learnerB1", None)
