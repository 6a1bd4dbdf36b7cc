"""Adaptive practice in the persona world.

At a1 and b1, the maths group has a practice quiz "World practice" (set, practice mode) with four questions
written by the school's teacher: two on ``percentages`` and two on ``ratio`` (single choice, right answer "A").

- learnerA1 has answered question 1 (percentages, right) and has question 2 open (ratio);
- learnerA1's skills: percentages mastered (rating 2.0 over 8 answers), ratio practising (-0.5 over 3);
- at a1, learnerA2's percentages are nearly there (0.6 over 4 answers).
Nobody else has practised.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

WORLD_QUIZ = "World practice"


def practice_quiz(world: Any, inst: str) -> Any:
    from commonroom.quizzes.models import Quiz

    return Quiz.objects.get(institution=world.institutions[inst], title=WORLD_QUIZ)


def turn_of(world: Any, learner: str, *, answered: bool) -> Any:
    from commonroom.quizzes.practice_models import PracticeTurn

    inst = learner.split(".")[0]
    return PracticeTurn.objects.get(quiz=practice_quiz(world, inst), learner=world.learners[learner],
                                    answered_at__isnull=not answered)


def _question(world: Any, inst: str, prompt: str, skill: str) -> Any:
    from commonroom.quizzes.models import Question

    return Question.objects.create(
        institution=world.institutions[inst], owner=world.people[f"{inst}.teacher"], kind="single", prompt=prompt,
        data={"choices": [{"id": "A", "text": "Right"}, {"id": "B", "text": "Wrong"}], "correct": ["A"]},
        feedback_correct="Well done.", feedback_incorrect="Look again at the method.", skills=[skill])


def extend(world: Any) -> None:
    from commonroom.quizzes.models import Quiz, QuizQuestion
    from commonroom.quizzes.practice_models import PracticeTurn, QuestionRating, SkillRating
    from commonroom.quizzes.practice_services import _spec_fields

    now = timezone.now()
    for inst in ("a1", "b1"):
        institution = world.institutions[inst]
        quiz = Quiz.objects.create(institution=institution, group=world.groups[f"{inst}.maths"], title=WORLD_QUIZ,
                                   mode=Quiz.Mode.PRACTICE, state=Quiz.State.SET, created_by=world.people[f"{inst}.teacher"])
        questions = [_question(world, inst, f"{skill.title()} question {n}", skill)
                     for skill in ("percentages", "ratio") for n in (1, 2)]
        for position, question in enumerate(questions):
            QuizQuestion.objects.create(institution=institution, quiz=quiz, question=question, position=position)
        QuestionRating.objects.create(question=questions[0], difficulty=-0.5, answers=1)
        learner = world.learners[f"{inst}.learnerA1"]
        PracticeTurn.objects.create(
            institution=institution, quiz=quiz, learner=learner, question=questions[0], number=1,
            spec=_spec_fields(questions[0]), skills=["percentages"], expected=0.5, answered_at=now, response="A",
            correct=True, score=1.0, feedback="Well done.")
        PracticeTurn.objects.create(institution=institution, quiz=quiz, learner=learner, question=questions[2], number=2,
                                    spec=_spec_fields(questions[2]), skills=["ratio"])
        SkillRating.objects.create(institution=institution, learner=learner, skill="percentages", rating=2.0, answers=8,
                                   correct=7)
        SkillRating.objects.create(institution=institution, learner=learner, skill="ratio", rating=-0.5, answers=3,
                                   correct=1)
        if inst == "a1":
            SkillRating.objects.create(institution=institution, learner=world.learners["a1.learnerA2"], skill="percentages",
                                       rating=0.6, answers=4, correct=3)
