"""The demo build's adaptive practice (the generator calls every app's ``write_demo``)."""

from __future__ import annotations

import pytest

from commonroom.quizzes import adaptive
from commonroom.quizzes.practice_models import PracticeTurn, QuestionRating, SkillRating


@pytest.mark.django_db
def test_write_demo_gives_practice_quizzes_with_consistent_ratings() -> None:
    from django.utils import timezone

    from commonroom.demo.generator import SIZES, Planner, write_plan

    plan = Planner(SIZES["tiny"], 2026, timezone.localdate()).plan()
    said: list[str] = []
    write_plan(plan, 2026, said.append)  # the quizzes' demo first, then adaptive practice on its practice quizzes
    summary = next(line for line in said if "Adaptive practice" in line)
    turns = PracticeTurn.objects.filter(quiz__title__endswith="quick check")
    assert turns.exists() and f"{turns.count()} questions answered" in summary
    assert not turns.filter(answered_at__isnull=True).exists()
    # Each skill row's counts are the turns that practised it (recomputed here from the turns).
    for rating in SkillRating.objects.filter(institution__in=turns.values("institution")).order_by("pk")[:20]:
        mine = [t for t in PracticeTurn.objects.filter(learner=rating.learner, institution=rating.institution)
                if rating.skill in t.skills]
        assert rating.answers == len(mine)
        assert rating.correct == sum(1 for t in mine if t.correct)
        assert -adaptive.RATING_LIMIT <= rating.rating <= adaptive.RATING_LIMIT
    for qr in QuestionRating.objects.filter(question_id__in=turns.values("question_id")):
        assert qr.answers == PracticeTurn.objects.filter(question_id=qr.question_id).count()
    demo_learner = plan.accounts["demo.learner"]
    assert PracticeTurn.objects.filter(learner_id=demo_learner.id).exists()
    assert turns.filter(quiz__group__staff__person_id=plan.accounts["demo.teacher"].id).exists()
