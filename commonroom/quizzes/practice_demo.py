"""Demo adaptive practice: generated questions, a practice quiz per group, and simulated learners' practice.

In each school, the demo learner's and the demo teacher's teaching groups and the first two other teaching groups get a practice quiz
"Number practice (adaptive)" with eight generated questions on four skills, written by the group's teacher.
Every learner in those groups has practised: each has a hidden "true" skill per skill (random, seeded), and
answers the questions the real chooser picks (``adaptive.choose_next``) right with the chance the Elo model
gives for that true skill; ratings, difficulties and turns are recorded by the same functions the service
uses. Deterministic by seed. Generated data, never real.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import asdict
from typing import Any

from django.utils import timezone

from commonroom.quizzes import adaptive

SKILLS = ("place-value", "fractions", "percentages", "negative-numbers")
QUESTIONS: list[dict[str, Any]] = [
    {"kind": "numeric", "prompt": "What is 7 × 8?", "data": {"answer": 56, "tolerance": 0}, "tags": ["place-value"],
     "truth": -1.0},
    {"kind": "single", "prompt": "Which digit is in the hundreds place of 4,372?",
     "data": {"choices": [{"id": "A", "text": "3"}, {"id": "B", "text": "4"}, {"id": "C", "text": "7"}], "correct": ["A"]},
     "tags": ["place-value"], "truth": 0.5},
    {"kind": "single", "prompt": "Which fraction is the same as 0.25?",
     "data": {"choices": [{"id": "A", "text": "1/4"}, {"id": "B", "text": "2/5"}, {"id": "C", "text": "1/25"}], "correct": ["A"]},
     "tags": ["fractions"], "truth": -0.5},
    {"kind": "numeric", "prompt": "What is 3/4 of 20?", "data": {"answer": 15, "tolerance": 0}, "tags": ["fractions"],
     "truth": 0.8},
    {"kind": "numeric", "prompt": "What is 10% of 90?", "data": {"answer": 9, "tolerance": 0}, "tags": ["percentages"],
     "truth": -0.8},
    {"kind": "true_false", "prompt": "True or false: 50% of 30 is more than 20% of 80.", "data": {"correct": False},
     "tags": ["percentages", "fractions"], "truth": 1.0},
    {"kind": "numeric", "prompt": "What is −3 + 8?", "data": {"answer": 5, "tolerance": 0}, "tags": ["negative-numbers"],
     "truth": 0.0},
    {"kind": "numeric", "prompt": "What is −4 × −6?", "data": {"answer": 24, "tolerance": 0}, "tags": ["negative-numbers"],
     "truth": 1.2},
]
FEEDBACK_RIGHT = "Right: that method works every time."
FEEDBACK_WRONG = "Not quite: write out each step, then check your answer by estimating."


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    from commonroom.people.models import Group
    from commonroom.quizzes.models import Question, Quiz, QuizQuestion, Visibility
    from commonroom.quizzes.practice_models import PracticeTurn, QuestionRating, SkillRating
    from commonroom.quizzes.spec import QuestionSpec, correct_response, score

    rng = random.Random(seed + 83)
    now = timezone.now()
    demo_learner = plan.accounts.get("demo.learner")
    demo_teacher = plan.accounts.get("demo.teacher")
    quizzes = turns = 0
    for inst in plan.institutions:
        teacher_of = {group.id: person.id for group, person, role in inst.group_staff if role == "teacher"}
        members: dict[int, list[int]] = {}
        for learner in inst.learners:
            for group in learner.groups:
                members.setdefault(group.id, []).append(learner.person.id)
        teaching = [g for g in inst.groups if g.kind == Group.Kind.TEACHING and g.id in teacher_of and members.get(g.id)]
        demo_groups = {g.id for learner in inst.learners if learner.person is demo_learner for g in learner.groups}
        demo_groups |= {g.id for g, person, role in inst.group_staff if person is demo_teacher and role == "teacher"}
        chosen = [g for g in teaching if g.id in demo_groups] + [g for g in teaching if g.id not in demo_groups][:2]
        ratings: dict[tuple[int, str], adaptive.SkillEstimate] = {}
        for group in chosen:
            teacher_id = teacher_of[group.id]
            quiz = Quiz.objects.create(
                institution_id=inst.id, group_id=group.id, title="Number practice (adaptive)", mode=Quiz.Mode.PRACTICE,
                state=Quiz.State.SET, instructions="Generated demo quiz: practise until every skill is mastered.",
                created_by_id=teacher_id)
            quizzes += 1
            questions = Question.objects.bulk_create([
                Question(institution_id=inst.id, owner_id=teacher_id, kind=q["kind"], prompt=q["prompt"], data=q["data"],
                         feedback_correct=FEEDBACK_RIGHT, feedback_incorrect=FEEDBACK_WRONG, skills=q["tags"],
                         visibility=Visibility.INSTITUTION) for q in QUESTIONS])
            QuizQuestion.objects.bulk_create([QuizQuestion(institution_id=inst.id, quiz=quiz, question=q, position=n)
                                              for n, q in enumerate(questions)])
            truth = {q.pk: spec["truth"] for q, spec in zip(questions, QUESTIONS, strict=True)}
            difficulty = {q.pk: (0.0, 0) for q in questions}
            specs = {q.pk: q.to_spec() for q in questions}
            candidates_base = [(q.pk, adaptive.skills_of(q.skills)) for q in questions]
            rows: list[PracticeTurn] = []
            for learner_id in sorted(members[group.id]):
                ability = {s: rng.gauss(0.3, 1.0) for s in SKILLS}
                recent: list[int] = []
                for number in range(1, rng.randint(4, 14) + 1):
                    estimates = {s: ratings.get((learner_id, s), adaptive.SkillEstimate()) for s in SKILLS}
                    candidates = [adaptive.Candidate(id=pk, skills=skills, difficulty=difficulty[pk][0])
                                  for pk, skills in candidates_base]
                    pick = adaptive.choose_next(candidates, estimates, recent=recent, seed=f"{quiz.pk}:{learner_id}:{number}")
                    assert pick is not None
                    pk = int(pick.id)  # type: ignore[call-overload]
                    spec: QuestionSpec = specs[pk]
                    true_ability = sum(ability[s] for s in pick.skills) / len(pick.skills)
                    chance = adaptive.probability(true_ability, truth[pk])
                    response: Any = correct_response(spec) if rng.random() < chance else _wrong(spec)
                    result = score(spec, response)
                    d, m = difficulty[pk]
                    update = adaptive.record_answer(estimates, skills=pick.skills, difficulty=d, question_answers=m,
                                                    outcome=adaptive.outcome_of(result.score, spec.points))
                    for s, est in update.estimates.items():
                        ratings[(learner_id, s)] = est
                    difficulty[pk] = (update.difficulty, m + 1)
                    recent.append(pk)
                    fields = asdict(spec)
                    fields["tags"] = list(fields["tags"])
                    rows.append(PracticeTurn(
                        institution_id=inst.id, quiz=quiz, learner_id=learner_id, question_id=pk, number=number,
                        spec=fields, skills=list(pick.skills), expected=update.expected, response=response,
                        correct=result.correct, score=result.score, feedback=result.feedback,
                        answered_at=now - datetime.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))))
            PracticeTurn.objects.bulk_create(rows, batch_size=2000)
            turns += len(rows)
            QuestionRating.objects.bulk_create([QuestionRating(question_id=pk, difficulty=d, answers=m)
                                                for pk, (d, m) in difficulty.items() if m])
        SkillRating.objects.bulk_create([
            SkillRating(institution_id=inst.id, learner_id=learner_id, skill=skill, rating=est.rating,
                        answers=est.answers, correct=est.correct)
            for (learner_id, skill), est in ratings.items() if est.answers], batch_size=2000)
    return f"Adaptive practice: {quizzes} practice quizzes, {turns} questions answered (generated)"


def _wrong(spec: Any) -> Any:
    """A plausible wrong answer for the generated questions."""
    if spec.kind == "numeric":
        return str(spec.data["answer"] + 1)
    if spec.kind == "true_false":
        return not spec.data["correct"]
    if spec.kind == "single":
        return next(c["id"] for c in spec.data["choices"] if c["id"] not in spec.data["correct"])
    return ""
