"""Demo questions and quizzes: generated, never real.

Every teacher of a teaching group gets a bank of seven questions (one of each kind; general arithmetic
and knowledge, tagged by skill), the first two shared with their institution. Every teaching group gets
a practice quiz ("Quick check", set, open, five of its teacher's questions) and a test ("End of unit
test", set, closing in three days, the other two questions and two drawn at random from the teacher's
``fractions`` pool). In one teaching group in five, most learners have handed in the practice quiz once,
with scores that vary. Called by the demo generator after the core records.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from commonroom.people.models import Group
from commonroom.quizzes.spec import QuestionSpec, score

BANK = (
    QuestionSpec("single", "What is 3/4 of 20?", {"choices": [
        {"id": "A", "text": "12", "feedback": "That is 3/5 of 20."}, {"id": "B", "text": "15", "feedback": ""},
        {"id": "C", "text": "16", "feedback": "That is 4/5 of 20."}], "correct": ["B"]},
        "A quarter of 20 is 5, and three quarters is 15.", "Find a quarter first (divide by 4), then multiply by 3.",
        ("fractions",)),
    QuestionSpec("numeric", "Write 3/8 as a decimal.", {"answer": 0.375, "tolerance": 0.0005},
                 "3 divided by 8 is 0.375.", "Divide the numerator by the denominator.", ("fractions", "decimals")),
    QuestionSpec("multiple", "Which of these are prime numbers?", {"choices": [
        {"id": "A", "text": "2"}, {"id": "B", "text": "9", "feedback": "9 = 3 × 3."}, {"id": "C", "text": "11"},
        {"id": "D", "text": "15", "feedback": "15 = 3 × 5."}], "correct": ["A", "C"]},
        "2 and 11 have exactly two factors.", "A prime has exactly two factors: 1 and itself.", ("primes",)),
    QuestionSpec("true_false", "0.5 is the same as 1/2.", {"correct": True}, "Five tenths is one half.",
                 "Five tenths simplifies to one half.", ("fractions", "decimals")),
    QuestionSpec("text", "What is the capital city of France?", {"accepted": ["Paris"], "case_sensitive": False},
                 "Paris is the capital of France.", "It is Paris.", ("geography",)),
    QuestionSpec("matching", "Match each fraction to its percentage.", {
        "left": [{"id": "L1", "text": "1/2"}, {"id": "L2", "text": "1/4"}, {"id": "L3", "text": "1/10"}],
        "right": [{"id": "R1", "text": "50%"}, {"id": "R2", "text": "25%"}, {"id": "R3", "text": "10%"},
                  {"id": "R4", "text": "40%"}],
        "pairs": [["L1", "R1"], ["L2", "R2"], ["L3", "R3"]]},
        "All three right.", "Multiply the fraction by 100 to get a percentage.", ("fractions", "percentages")),
    QuestionSpec("ordering", "Put these numbers in order, smallest first.", {
        "items": [{"id": "I1", "text": "0.05"}, {"id": "I2", "text": "0.5"}, {"id": "I3", "text": "0.55"},
                  {"id": "I4", "text": "5"}], "order": ["I1", "I2", "I3", "I4"]},
        "Compare the digits place by place.", "Line up the decimal points before you compare.", ("decimals",)),
)
PRACTICE = (0, 1, 2, 3, 4)


def _guess(spec: QuestionSpec, right: bool, rng: random.Random) -> Any:
    from commonroom.quizzes.spec import correct_response

    if right:
        return correct_response(spec)
    wrong = {"single": "A", "multiple": ["A"], "true_false": False, "numeric": "0.38", "text": "Lyon",
             "matching": {"L1": "R1", "L2": "R4", "L3": "R3"}, "ordering": ["I2", "I1", "I3", "I4"]}
    return wrong[spec.kind]


def _write_quizzes(plan: Any, today: datetime.date, seed: int) -> str:
    from commonroom.quizzes.models import Attempt, AttemptAnswer, Question, Quiz, QuizQuestion
    from commonroom.quizzes.services import spec_fields

    rng = random.Random(seed + 73)
    now = timezone.now()
    n_questions = n_quizzes = n_attempts = 0
    for inst in plan.institutions:
        teacher_of = {group.id: person.id for group, person, role in inst.group_staff if role == "teacher"}
        members: dict[int, list[int]] = {}
        for learner in inst.learners:
            for group in learner.groups:
                members.setdefault(group.id, []).append(learner.person.id)
        teachers = sorted(set(teacher_of.values()))
        rows = [Question.from_spec(spec, owner=t, institution=inst.id, visibility="institution" if n < 2 else "private")
                for t in teachers for n, spec in enumerate(BANK)]
        Question.objects.bulk_create(rows)
        if rows and not rows[0].pk:
            rows = list(Question.objects.filter(institution_id=inst.id).order_by("pk"))
        bank = {t: rows[i * len(BANK):(i + 1) * len(BANK)] for i, t in enumerate(teachers)}
        n_questions += len(rows)
        teaching = [g for g in inst.groups if g.kind == Group.Kind.TEACHING and g.id in teacher_of]
        quizzes: list[tuple[Quiz, list[Question], int]] = []
        for index, group in enumerate(teaching):
            mine = bank[teacher_of[group.id]]
            subject = group.subject or group.name
            practice = Quiz(institution_id=inst.id, group_id=group.id, title=f"{subject}: quick check", mode="practice",
                            state="set", instructions="Generated demo quiz. Try each question; you get feedback at once.",
                            created_by_id=teacher_of[group.id], opens_at=now - datetime.timedelta(days=7))
            test = Quiz(institution_id=inst.id, group_id=group.id, title=f"{subject}: end of unit test", mode="test",
                        state="set", instructions="Generated demo test. Results after it closes.",
                        created_by_id=teacher_of[group.id], closes_at=now + datetime.timedelta(days=3),
                        pool_tags=["fractions"], pool_size=2, attempts_allowed=1)
            quizzes.append((practice, [mine[i] for i in PRACTICE], index))
            quizzes.append((test, [mine[5], mine[6]], -1))
        Quiz.objects.bulk_create([q for q, _qs, _i in quizzes])
        if quizzes and not quizzes[0][0].pk:
            saved = list(Quiz.objects.filter(institution_id=inst.id).order_by("pk"))
            quizzes = [(saved[i], qs, idx) for i, (_q, qs, idx) in enumerate(quizzes)]
        QuizQuestion.objects.bulk_create([QuizQuestion(institution_id=inst.id, quiz=q, question=question, position=n)
                                          for q, qs, _i in quizzes for n, question in enumerate(qs)])
        n_quizzes += len(quizzes)
        attempts: list[Attempt] = []
        answers: list[tuple[int, list[tuple[Question, Any]]]] = []
        for quiz, qs, index in quizzes:
            if index < 0 or index % 5:
                continue
            skill = rng.random()
            for learner_id in members.get(quiz.group_id, []):
                if rng.random() > 0.8:
                    continue
                chosen = [(q, _guess(q.to_spec(), rng.random() < 0.35 + 0.6 * skill, rng)) for q in qs]
                total = sum(score(q.to_spec(), r).score for q, r in chosen)
                started = now - datetime.timedelta(days=rng.randint(1, 6), minutes=rng.randint(5, 300))
                attempts.append(Attempt(institution_id=inst.id, quiz=quiz, learner_id=learner_id, number=1, state="submitted",
                                        started_at=started, submitted_at=started + datetime.timedelta(minutes=rng.randint(3, 15)),
                                        score=total, max_score=sum(q.points for q in qs)))
                answers.append((len(attempts) - 1, chosen))
        Attempt.objects.bulk_create(attempts, batch_size=2000)
        if attempts and not attempts[0].pk:
            by_key = {(a.quiz_id, a.learner_id): a for a in Attempt.objects.filter(institution_id=inst.id)}
            attempts = [by_key[(a.quiz_id, a.learner_id)] for a in attempts]
        rows_a = []
        for i, chosen in answers:
            for n, (q, response) in enumerate(chosen, start=1):
                spec = q.to_spec()
                result = score(spec, response)
                rows_a.append(AttemptAnswer(institution_id=inst.id, attempt=attempts[i], question=q, position=n,
                                            spec=spec_fields(spec), response=response, correct=result.correct,
                                            score=result.score))
        AttemptAnswer.objects.bulk_create(rows_a, batch_size=2000)
        n_attempts += len(attempts)
    return f"Quizzes: {n_questions} questions, {n_quizzes} quizzes, {n_attempts} attempts handed in (generated)"


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    """The question bank, quizzes and attempts, then adaptive practice (``practice_demo.py``) on top."""
    from commonroom.quizzes import practice_demo

    return f"{_write_quizzes(plan, today, seed)}; {practice_demo.write_demo(plan, today, seed)}"
