"""Adaptive practice writes: serve the next question, record an answer (docs/adaptive-practice.md).

Both are safe to repeat and to run concurrently:

- ``practice_next`` returns the learner's open turn if there is one; otherwise it chooses a question
  and creates the turn. A unique constraint allows one open turn per learner and quiz, so two requests
  at once create one turn (the loser of the race reads the winner's).
- ``practice_answer`` locks the turn; a turn already answered returns as it is (a double submit, a second
  tab), so an answer is counted once. The learner's skill rows and the question's rating are then locked
  in a fixed order (skills by name, then the question) and updated from the values read under the lock,
  so two answers at once are applied one after the other.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import require
from commonroom.quizzes import adaptive
from commonroom.quizzes.models import Question, Quiz, QuizQuestion
from commonroom.quizzes.practice_models import PracticeTurn, QuestionRating, SkillRating
from commonroom.quizzes.spec import QuestionSpec, parse_number, score

MAX_RESPONSE_CHARS = 2000


def quiz_candidates(quiz: Quiz) -> list[Question]:
    """The questions adaptive practice of ``quiz`` draws from: its fixed questions and every question of its
    pool (tagged with one of ``pool_tags``) that its author may use (``services.pool_questions``), each with its
    rating loaded."""
    fixed = QuizQuestion.objects.filter(quiz=quiz).values("question_id")
    rows = {q.pk: q for q in Question.objects.filter(pk__in=fixed).select_related("rating")}
    if quiz.pool_tags and quiz.created_by_id is not None:  # the pool as the quiz's own draw sees it
        from commonroom.quizzes.services import pool_questions

        ids = pool_questions(Actor(person_id=quiz.created_by_id, label="quiz author"), quiz.pool_tags)
        rows.update({q.pk: q for q in Question.objects.filter(pk__in=ids).select_related("rating")})
    return sorted(rows.values(), key=lambda q: q.pk)


def _spec_fields(question: Question) -> dict[str, Any]:
    fields = asdict(question.to_spec())
    fields["tags"] = list(fields["tags"])
    return fields


def turn_spec(turn: PracticeTurn) -> QuestionSpec:
    fields = dict(turn.spec)
    fields["tags"] = tuple(fields.get("tags") or ())
    return QuestionSpec(**fields)


def learner_estimates(institution_id: int, learner_id: int) -> dict[str, adaptive.SkillEstimate]:
    return {
        r.skill: adaptive.SkillEstimate(rating=r.rating, answers=r.answers, correct=r.correct)
        for r in SkillRating.objects.filter(institution_id=institution_id, learner_id=learner_id)
    }


def _open_turn(quiz: Quiz, learner_id: int) -> PracticeTurn | None:
    return PracticeTurn.objects.filter(quiz=quiz, learner_id=learner_id, answered_at__isnull=True).first()


def practice_next(*, actor: Actor, quiz: Quiz) -> PracticeTurn | None:
    """The learner's open turn in ``quiz``, or a new one with the question chosen for them; None when the quiz
    has no questions to practise."""
    require(actor, "practise", quiz)
    learner_id = actor.person_id
    assert learner_id is not None
    turn = _open_turn(quiz, learner_id)
    if turn is not None:
        return turn
    questions = quiz_candidates(quiz)
    if not questions:
        return None
    by_id = {q.pk: q for q in questions}
    candidates = [
        adaptive.Candidate(id=q.pk, skills=adaptive.skills_of(q.skills or ()),
                           difficulty=_rating_of(q).difficulty)
        for q in questions
    ]
    history = PracticeTurn.objects.filter(quiz=quiz, learner_id=learner_id)
    count = history.aggregate(n=Max("number"))["n"] or 0
    recent = list(history.order_by("-number").values_list("question_id", flat=True)[: adaptive.AVOID_RECENT])[::-1]
    chosen = adaptive.choose_next(candidates, learner_estimates(quiz.institution_id, learner_id), recent=recent,
                                  seed=f"{quiz.pk}:{learner_id}:{count}")
    assert chosen is not None
    question = by_id[int(chosen.id)]  # type: ignore[call-overload]
    try:
        with transaction.atomic():
            return PracticeTurn.objects.create(
                institution_id=quiz.institution_id, quiz=quiz, learner_id=learner_id, question=question,
                number=count + 1, spec=_spec_fields(question), skills=list(chosen.skills))
    except IntegrityError:  # another request served a turn at the same moment: use that one
        turn = _open_turn(quiz, learner_id)
        if turn is None:
            raise
        return turn


def _rating_of(question: Question) -> QuestionRating:
    try:
        return question.rating  # type: ignore[no-any-return]
    except QuestionRating.DoesNotExist:
        return QuestionRating(question=question)


def _check_response(spec: QuestionSpec, response: object) -> None:
    """Refuse a response that is not even of the kind's shape (the scorer marks wrong answers; this is bad input)."""
    kind = spec.kind
    ok = {
        "single": lambda r: isinstance(r, str),
        "multiple": lambda r: isinstance(r, list) and all(isinstance(x, str) for x in r),
        "true_false": lambda r: isinstance(r, bool),
        "numeric": lambda r: isinstance(r, (str, int, float)) and not isinstance(r, bool),
        "text": lambda r: isinstance(r, str),
        "matching": lambda r: isinstance(r, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in r.items()),
        "ordering": lambda r: isinstance(r, list) and all(isinstance(x, str) for x in r),
    }.get(kind, lambda r: False)
    if response is None or response in ("", [], {}):
        raise ValidationError({"response": [_("Give an answer before you check it.")]})
    if kind == "numeric" and ok(response):
        number, why = parse_number(response)
        if number is None:
            raise ValidationError({"response": [why]})
    if not ok(response):
        raise ValidationError({"response": [_("This answer does not fit the question: %(kind)s.") % {"kind": kind}]})
    if len(repr(response)) > MAX_RESPONSE_CHARS:
        raise ValidationError({"response": [_("This answer is too long.")]})


def practice_answer(*, actor: Actor, turn: PracticeTurn, response: object) -> PracticeTurn:
    """Score the learner's answer to ``turn`` and update their skills and the question's difficulty, once.

    A turn already answered is returned unchanged (the first answer counts). Raises ``ValidationError``
    (field ``response``) for an empty or malformed response, ``NotFound`` for someone who may not answer.
    """
    require(actor, "answer", turn)
    with transaction.atomic():
        locked = PracticeTurn.objects.select_for_update().get(pk=turn.pk)
        if locked.answered:
            return locked
        spec = turn_spec(locked)
        _check_response(spec, response)
        result = score(spec, response)
        skills = sorted(adaptive.skills_of(locked.skills or spec.tags))
        SkillRating.objects.bulk_create(
            [SkillRating(institution_id=locked.institution_id, learner_id=locked.learner_id, skill=s) for s in skills],
            ignore_conflicts=True)
        ratings = {r.skill: r for r in SkillRating.objects.select_for_update().filter(
            institution_id=locked.institution_id, learner_id=locked.learner_id, skill__in=skills).order_by("skill")}
        question_rating: QuestionRating | None = None
        if locked.question_id is not None:
            QuestionRating.objects.bulk_create([QuestionRating(question_id=locked.question_id)], ignore_conflicts=True)
            question_rating = QuestionRating.objects.select_for_update().get(question_id=locked.question_id)
        estimates = {s: adaptive.SkillEstimate(rating=r.rating, answers=r.answers, correct=r.correct)
                     for s, r in ratings.items()}
        update = adaptive.record_answer(
            estimates, skills=skills,
            difficulty=question_rating.difficulty if question_rating else 0.0,
            question_answers=question_rating.answers if question_rating else 0,
            outcome=adaptive.outcome_of(result.score, spec.points))
        now = timezone.now()
        for skill, row in ratings.items():
            new = update.estimates[skill]
            row.rating, row.answers, row.correct, row.updated_at = new.rating, new.answers, new.correct, now
        SkillRating.objects.bulk_update(list(ratings.values()), ["rating", "answers", "correct", "updated_at"])
        if question_rating is not None:
            question_rating.difficulty = update.difficulty
            question_rating.answers += 1
            question_rating.save(update_fields=["difficulty", "answers", "updated_at"])
        feedback = " ".join(part for part in (result.feedback, *result.choice_feedback.values()) if part)
        locked.response, locked.correct, locked.score = response, result.correct, result.score
        locked.expected, locked.feedback, locked.answered_at = update.expected, feedback, now
        locked.save(update_fields=["response", "correct", "score", "expected", "feedback", "answered_at", "updated_at"])
        audit.record(actor, "practice.answer", locked, learner_id=locked.learner_id, institution_id=locked.institution_id,
                     detail={"quiz": locked.quiz_id, "number": locked.number, "correct": result.correct})
    return locked

