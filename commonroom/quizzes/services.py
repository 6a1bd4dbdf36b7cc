"""Every write of the quizzes app: questions (save, copy), quizzes (save), attempts (start, submit).

Each function takes the acting user, checks with ``authz``, validates before it writes, writes in one
transaction and records an audit event.

Attempts are idempotent. Starting while an attempt is in progress returns that attempt (its draw is
stored, so a reload never redraws); submitting carries the attempt's token, and a second submit of an
attempt already handed in changes nothing and returns it as it is.
"""

from __future__ import annotations

import datetime
import math
import random
import re
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, require, visible
from commonroom.people.models import Group
from commonroom.quizzes import models as quiz_models
from commonroom.quizzes.models import Attempt, AttemptAnswer, Question, Quiz, QuizQuestion, Visibility
from commonroom.quizzes.policies import author_institutions
from commonroom.quizzes.spec import QuestionSpec, score, validate_spec

MAX_TEXT = 10_000
MAX_QUESTIONS = 100
TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Which form field a spec error belongs to, by the words it starts with.
ERROR_FIELDS = (
    ("Prompt", "prompt"), ("Points", "points"), ("Tags", "skills"), ("Choice", "choices"), ("Correct", "correct"),
    ("Answer", "answer"), ("Tolerance", "tolerance"), ("Accepted", "accepted"), ("Case", "case_sensitive"),
    ("Left", "left"), ("Right", "right"), ("Pair", "pairs"), ("Item", "items"), ("Order", "items"),
    ("Unknown kind", "kind"), ("Data", "kind"),
)


def error_field(message: str) -> str:
    return next((name for prefix, name in ERROR_FIELDS if message.startswith(prefix)), "__all__")


def spec_errors(spec: QuestionSpec) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for message in validate_spec(spec):
        errors.setdefault(error_field(message), []).append(message)
    for name, value in (("prompt", spec.prompt), ("feedback_correct", spec.feedback_correct),
                        ("feedback_incorrect", spec.feedback_incorrect)):
        if isinstance(value, str) and len(value) > MAX_TEXT:
            errors.setdefault(name, []).append(_("Too long: at most %(n)s characters.") % {"n": MAX_TEXT})
    if isinstance(spec.points, int) and spec.points > 100:
        errors.setdefault("points", []).append(_("Points: at most 100."))
    if len(spec.identifier) > 200:
        errors.setdefault("identifier", []).append(_("Identifier: at most 200 characters."))
    return errors


# Questions ----------------------------------------------------------------------------------------


def question_save(*, actor: Actor, spec: QuestionSpec, visibility: str = Visibility.PRIVATE,
                  question: Question | None = None, institution_id: int | None = None) -> Question:
    """Create a question in the actor's bank, or change one they own."""
    institutions = author_institutions(actor)
    if question is None:
        if not institutions or actor.person_id is None:
            raise NotFound()
        if institution_id is None:
            institution_id = min(institutions)
        elif institution_id not in institutions:
            raise NotFound()
    else:
        require(actor, "manage", question)
    errors = spec_errors(spec)
    if visibility not in Visibility.values:
        errors.setdefault("visibility", []).append(_("Choose who may use the question."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if question is None:
            question = Question.from_spec(spec, owner=actor.person_id, institution=institution_id,
                                          visibility=visibility)
        else:
            for name, value in (("kind", spec.kind), ("prompt", spec.prompt), ("data", spec.data),
                                ("feedback_correct", spec.feedback_correct),
                                ("feedback_incorrect", spec.feedback_incorrect), ("points", spec.points),
                                ("identifier", spec.identifier), ("skills", list(spec.tags)),
                                ("visibility", visibility)):
                setattr(question, name, value)
        question.save()
        audit.record(actor, "quizzes.question_saved", question, institution_id=question.institution_id)
    return question


def question_copy(*, actor: Actor, question: Question) -> Question:
    """A private copy in the actor's own bank, recording where it came from."""
    require(actor, "view", question)
    institutions = author_institutions(actor)
    if not institutions:
        raise NotFound()
    institution_id = question.institution_id if question.institution_id in institutions else min(institutions)
    with transaction.atomic():
        copy = Question.from_spec(question.to_spec(), owner=actor.person_id, institution=institution_id,
                                  visibility=Visibility.PRIVATE, copied_from=question)
        copy.identifier = ""
        copy.save()
        audit.record(actor, "quizzes.question_copied", copy, institution_id=institution_id,
                     detail={"from": question.pk})
    return copy


# Quizzes ------------------------------------------------------------------------------------------


def clean_tags(values: Sequence[str]) -> tuple[list[str], list[str]]:
    """Tags as lower-case slugs (spaces become hyphens); and the ones that cannot be."""
    tags: list[str] = []
    bad: list[str] = []
    for raw in values:
        tag = re.sub(r"\s+", "-", raw.strip().lower())
        if not tag:
            continue
        if not TAG.match(tag) or len(tag) > 50:
            bad.append(raw.strip())
        elif tag not in tags:
            tags.append(tag)
    return tags, bad


def pool_questions(actor: Actor, tags: Sequence[str]) -> list[int]:
    """Ids of the questions the actor may use that carry one of the tags (any database: filtered here)."""
    if not tags:
        return []
    wanted = set(tags)
    return sorted(pk for pk, skills in visible(actor, Question).values_list("pk", "skills")
                  if wanted & set(skills or ()))


def quiz_save(*, actor: Actor, group: Group, title: str, instructions: str = "", mode: str = Quiz.Mode.PRACTICE,
              state: str = Quiz.State.DRAFT, opens_at: datetime.datetime | None = None,
              closes_at: datetime.datetime | None = None, attempts_allowed: int | None = None,
              question_ids: Sequence[int] = (), pool_tags: Sequence[str] = (), pool_size: int = 0,
              quiz: Quiz | None = None) -> Quiz:
    require(actor, "manage_quizzes", group)
    if quiz is not None and quiz.group_id != group.pk:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the quiz a title.")]
    elif len(title) > 200:
        errors["title"] = [_("The title is too long: at most 200 characters.")]
    if len(instructions) > MAX_TEXT:
        errors["instructions"] = [_("Too long: at most %(n)s characters.") % {"n": MAX_TEXT}]
    if mode not in Quiz.Mode.values:
        errors["mode"] = [_("Choose practice or test.")]
    if state not in Quiz.State.values:
        errors["state"] = [_("Choose draft or set.")]
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = [_("The quiz must close after it opens.")]
    if mode == Quiz.Mode.TEST and closes_at is None:
        errors["closes_at"] = [_("A test needs a closing time: its results are shown after it closes.")]
    if attempts_allowed is not None and not 1 <= attempts_allowed <= 100:
        errors["attempts_allowed"] = [_("Attempts allowed: from 1 to 100, or empty for no limit.")]
    ids: list[int] = []
    for pk in question_ids:
        if pk not in ids:
            ids.append(pk)
    if len(ids) > MAX_QUESTIONS:
        errors["question_ids"] = [_("A quiz holds at most %(n)s questions.") % {"n": MAX_QUESTIONS}]
    usable = set(visible(actor, Question).filter(pk__in=ids).values_list("pk", flat=True))
    if quiz is not None:  # questions already on the quiz stay, even a co-teacher's private ones
        usable |= set(QuizQuestion.objects.filter(quiz=quiz, question_id__in=ids).values_list("question_id", flat=True))
    missing = [str(pk) for pk in ids if pk not in usable]
    if missing:
        errors["question_ids"] = [_("These questions are not in your bank or shared with you: %(ids)s.")
                                  % {"ids": ", ".join(missing)}]
    tags, bad = clean_tags(pool_tags)
    if bad:
        errors["pool_tags"] = [_("Tags are words, digits and hyphens: %(bad)s is not.") % {"bad": ", ".join(bad)}]
    if not 0 <= pool_size <= MAX_QUESTIONS:
        errors["pool_size"] = [_("From 0 to %(n)s.") % {"n": MAX_QUESTIONS}]
    elif pool_size and not tags:
        errors["pool_tags"] = [_("Name the tags to draw the random questions from.")]
    elif pool_size:
        available = len(set(pool_questions(actor, tags)) - set(ids))
        if available < pool_size:
            errors["pool_size"] = [_("Only %(n)s other questions carry those tags: draw at most that many.")
                                   % {"n": available}]
    if not errors and not ids and not pool_size:
        errors["question_ids"] = [_("Choose at least one question, or a number to draw from the pool.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if quiz is None:
            quiz = Quiz(institution_id=group.institution_id, group=group, created_by_id=actor.person_id)
        quiz.title, quiz.instructions, quiz.mode, quiz.state = title.strip(), instructions.strip(), mode, state
        quiz.opens_at, quiz.closes_at, quiz.attempts_allowed = opens_at, closes_at, attempts_allowed
        quiz.pool_tags, quiz.pool_size = tags, pool_size
        quiz.save()
        QuizQuestion.objects.filter(quiz=quiz).delete()
        QuizQuestion.objects.bulk_create([QuizQuestion(institution_id=quiz.institution_id, quiz=quiz, question_id=pk,
                                                       position=n) for n, pk in enumerate(ids)])
        audit.record(actor, "quizzes.quiz_saved", quiz, institution_id=quiz.institution_id,
                     detail={"questions": ids, "pool_tags": tags, "pool_size": pool_size, "state": state})
    return quiz


# Attempts -----------------------------------------------------------------------------------------


def is_open(quiz: Quiz, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (quiz.opens_at is None or quiz.opens_at <= now) and (quiz.closes_at is None or now < quiz.closes_at)


HAND_IN_GRACE = quiz_models.HAND_IN_GRACE
# An attempt begun while the quiz was open may be handed in until ``closes_at + HAND_IN_GRACE``, so that a
# learner who presses "Hand in" as the clock passes the close keeps their answers. A test's feedback waits
# until the grace is over, so no answer is shown while a classmate may still hand in.


def hand_in_until(quiz: Quiz) -> datetime.datetime | None:
    """The last moment an attempt at ``quiz`` may be handed in (None: no closing time)."""
    return quiz.hand_in_until


def feedback_released(quiz: Quiz, now: datetime.datetime | None = None) -> bool:
    """Practice: straight away. Test: once the quiz has closed and the hand-in grace is over."""
    if quiz.mode == Quiz.Mode.PRACTICE:
        return True
    until = hand_in_until(quiz)
    return until is not None and (now or timezone.now()) >= until


def spec_fields(spec: QuestionSpec) -> dict[str, Any]:
    fields = asdict(spec)
    fields["tags"] = list(spec.tags)
    return fields


def _draw(quiz: Quiz) -> list[Question]:
    """The quiz's fixed questions in order, then ``pool_size`` drawn at random from its pool."""
    fixed = [qq.question for qq in QuizQuestion.objects.filter(quiz=quiz).select_related("question").order_by("position")]
    drawn: list[Question] = []
    if quiz.pool_size and quiz.created_by_id is not None:
        from commonroom.authz.actor import Actor as _Actor

        author = _Actor(person_id=quiz.created_by_id, label="quiz author")
        fixed_ids = {q.pk for q in fixed}
        pool = [pk for pk in pool_questions(author, quiz.pool_tags) if pk not in fixed_ids]
        chosen = random.SystemRandom().sample(pool, min(quiz.pool_size, len(pool)))
        by_id = Question.objects.in_bulk(chosen)
        drawn = [by_id[pk] for pk in chosen if pk in by_id]
    return fixed + drawn


def attempts_left(quiz: Quiz, learner_id: int) -> int | None:
    if quiz.attempts_allowed is None:
        return None
    used = Attempt.objects.filter(quiz=quiz, learner_id=learner_id).count()
    return max(quiz.attempts_allowed - used, 0)


def attempt_start(*, actor: Actor, quiz: Quiz) -> Attempt:
    """The learner's attempt in progress, or a new one with its questions drawn and stored."""
    require(actor, "take", quiz)
    learner_id = actor.person_id
    assert learner_id is not None
    current = Attempt.objects.filter(quiz=quiz, learner_id=learner_id, state=Attempt.State.STARTED).first()
    if current is not None:
        return current
    if not is_open(quiz):
        raise ValidationError(_("This quiz is not open."))
    if attempts_left(quiz, learner_id) == 0:
        raise ValidationError(_("You have used all your attempts at this quiz."))
    questions = _draw(quiz)
    if not questions:
        raise ValidationError(_("This quiz has no questions yet."))
    now = timezone.now()
    try:
        with transaction.atomic():
            number = (Attempt.objects.filter(quiz=quiz, learner_id=learner_id).aggregate(n=Max("number"))["n"] or 0) + 1
            attempt = Attempt.objects.create(institution_id=quiz.institution_id, quiz=quiz, learner_id=learner_id,
                                             number=number, started_at=now,
                                             max_score=sum(q.points for q in questions))
            AttemptAnswer.objects.bulk_create([
                AttemptAnswer(institution_id=quiz.institution_id, attempt=attempt, question=q, position=n,
                              spec=spec_fields(q.to_spec())) for n, q in enumerate(questions, start=1)])
            audit.record(actor, "quizzes.attempt_started", attempt, learner_id=learner_id,
                         institution_id=quiz.institution_id)
    except IntegrityError:  # started twice at the same moment: the other start won
        current = Attempt.objects.filter(quiz=quiz, learner_id=learner_id, state=Attempt.State.STARTED).first()
        if current is None:
            raise
        return current
    return attempt


def attempt_submit(*, actor: Actor, attempt: Attempt, token: str, responses: dict[int, Any]) -> Attempt:
    """Score and hand in an attempt. ``responses`` maps a question's position to the learner's response.

    A second submit of an attempt already handed in (a double click, a resent form) changes nothing.
    """
    require(actor, "answer", attempt)
    if str(attempt.token) != str(token).strip():
        raise ValidationError({"token": [_("This form is out of date: open the quiz again.")]})
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.state == Attempt.State.SUBMITTED:
            return locked
        quiz = locked.quiz
        now = timezone.now()
        until = hand_in_until(quiz)
        if quiz.closes_at is not None and until is not None and now >= until:
            raise ValidationError(_("This quiz closed at %(time)s and took hand-ins until %(until)s: answers can no "
                                    "longer be handed in.")
                                  % {"time": timezone.localtime(quiz.closes_at).strftime("%d %B %Y %H:%M"),
                                     "until": timezone.localtime(until).strftime("%H:%M")})
        answers = list(AttemptAnswer.objects.filter(attempt=locked).order_by("position"))
        total = 0.0
        for answer in answers:
            response = responses.get(answer.position)
            result = score(answer.to_spec(), response)
            answer.response, answer.correct, answer.score = _jsonable(response), result.correct, result.score
            total += result.score
        AttemptAnswer.objects.bulk_update(answers, ["response", "correct", "score"])
        locked.state, locked.submitted_at, locked.score = Attempt.State.SUBMITTED, now, round(total, 4)
        locked.save(update_fields=["state", "submitted_at", "score", "updated_at"])
        audit.record(actor, "quizzes.attempt_submitted", locked, learner_id=locked.learner_id,
                     institution_id=locked.institution_id, detail={"score": locked.score, "of": locked.max_score})
    return locked


def _jsonable(response: Any, depth: int = 0) -> Any:
    if depth > 5:
        return str(response)[:1000]
    if isinstance(response, float) and not math.isfinite(response):
        return str(response)
    if response is None or isinstance(response, (str, bool, int, float)):
        return response if not isinstance(response, str) else response[:1000]
    if isinstance(response, (list, tuple)):
        return [_jsonable(r, depth + 1) for r in list(response)[:100]]
    if isinstance(response, dict):
        return {str(k)[:100]: _jsonable(v, depth + 1) for k, v in list(response.items())[:100]}
    return str(response)[:1000]


def may_take(actor: Actor, quiz: Quiz) -> bool:
    return can(actor, "take", quiz)
