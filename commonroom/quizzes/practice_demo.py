"""Demo adaptive practice: simulated learners practising the demo's practice quizzes adaptively.

In each school, the practice quiz ("quick check", written by ``demo.py``) of the demo learner's and the demo
teacher's teaching groups and of the first two other teaching groups has been practised adaptively by every
learner in the group. Each simulated learner has a hidden "true" skill per skill and each question a hidden
"true" difficulty (random, seeded); the learner answers the questions the real chooser picks
(``adaptive.choose_next``), right with the chance the Elo model gives for those true values, and ratings,
difficulties and turns are recorded by the same functions the service uses. Deterministic by seed.
Generated data, never real.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from commonroom.quizzes import adaptive


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    from commonroom.people.models import Group
    from commonroom.quizzes.demo import _guess
    from commonroom.quizzes.models import Quiz
    from commonroom.quizzes.practice_models import PracticeTurn, QuestionRating, SkillRating
    from commonroom.quizzes.practice_services import _spec_fields, quiz_candidates
    from commonroom.quizzes.spec import score

    rng = random.Random(seed + 83)
    now = timezone.now()
    demo_learner = plan.accounts.get("demo.learner")
    demo_teacher = plan.accounts.get("demo.teacher")
    quizzes = turns = 0
    for inst in plan.institutions:
        members: dict[int, list[int]] = {}
        for learner in inst.learners:
            for group in learner.groups:
                members.setdefault(group.id, []).append(learner.person.id)
        practice = {q.group_id: q for q in Quiz.objects.filter(institution_id=inst.id, mode=Quiz.Mode.PRACTICE,
                                                               state=Quiz.State.SET).order_by("pk")}
        teaching = [g for g in inst.groups if g.kind == Group.Kind.TEACHING and g.id in practice and members.get(g.id)]
        demo_groups = {g.id for learner in inst.learners if learner.person is demo_learner for g in learner.groups}
        demo_groups |= {g.id for g, person, role in inst.group_staff if person is demo_teacher and role == "teacher"}
        chosen = [g for g in teaching if g.id in demo_groups] + [g for g in teaching if g.id not in demo_groups][:2]
        ratings: dict[tuple[int, str], adaptive.SkillEstimate] = {}
        difficulty: dict[int, tuple[float, int]] = {}
        for group in chosen:
            quiz = practice[group.id]
            questions = quiz_candidates(quiz)
            if not questions:
                continue
            quizzes += 1
            specs = {q.pk: q.to_spec() for q in questions}
            truth = {q.pk: rng.gauss(0.0, 0.8) for q in questions}
            for q in questions:
                difficulty.setdefault(q.pk, (0.0, 0))
            rows: list[PracticeTurn] = []
            for learner_id in sorted(members[group.id]):
                ability: dict[str, float] = {}
                recent: list[int] = []
                for number in range(1, rng.randint(4, 14) + 1):
                    candidates = [adaptive.Candidate(id=q.pk, skills=adaptive.skills_of(q.skills or ()),
                                                     difficulty=difficulty[q.pk][0]) for q in questions]
                    skills = {s for c in candidates for s in c.skills}
                    estimates = {s: ratings.get((learner_id, s), adaptive.SkillEstimate()) for s in skills}
                    pick = adaptive.choose_next(candidates, estimates, recent=recent,
                                                seed=f"{quiz.pk}:{learner_id}:{number - 1}")
                    assert pick is not None
                    pk = int(pick.id)  # type: ignore[call-overload]
                    spec = specs[pk]
                    for s in pick.skills:
                        ability.setdefault(s, rng.gauss(0.3, 1.0))
                    true_ability = sum(ability[s] for s in pick.skills) / len(pick.skills)
                    response = _guess(spec, rng.random() < adaptive.probability(true_ability, truth[pk]), rng)
                    result = score(spec, response)
                    d, m = difficulty[pk]
                    update = adaptive.record_answer(estimates, skills=pick.skills, difficulty=d, question_answers=m,
                                                    outcome=adaptive.outcome_of(result.score, spec.points))
                    for s, est in update.estimates.items():
                        ratings[(learner_id, s)] = est
                    difficulty[pk] = (update.difficulty, m + 1)
                    recent.append(pk)
                    rows.append(PracticeTurn(
                        institution_id=inst.id, quiz=quiz, learner_id=learner_id, question_id=pk, number=number,
                        spec=_spec_fields(next(q for q in questions if q.pk == pk)), skills=list(pick.skills),
                        expected=update.expected, response=response, correct=result.correct, score=result.score,
                        feedback=result.feedback,
                        answered_at=now - datetime.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))))
            PracticeTurn.objects.bulk_create(rows, batch_size=2000)
            turns += len(rows)
        QuestionRating.objects.bulk_create([QuestionRating(question_id=pk, difficulty=d, answers=m)
                                            for pk, (d, m) in difficulty.items() if m])
        SkillRating.objects.bulk_create([
            SkillRating(institution_id=inst.id, learner_id=learner_id, skill=skill, rating=est.rating,
                        answers=est.answers, correct=est.correct)
            for (learner_id, skill), est in ratings.items() if est.answers], batch_size=2000)
    return f"Adaptive practice: {quizzes} practice quizzes practised, {turns} questions answered (generated)"
