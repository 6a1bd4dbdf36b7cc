"""Questions, quizzes and attempts over the API, scoped exactly as the pages are (the same selectors and
services): missing and forbidden both answer 404; refused input answers 422 naming the field.

A question's body is the shared format of ``quizzes/spec.py`` (kind, prompt, data, feedback, tags,
points, identifier). Answers to an attempt are sent by position: ``{"token": ..., "answers":
{"1": "B", "2": "0.75"}}``, each in the response shape of its kind; an attempt already handed in is
returned as it is (a resend changes nothing).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import field_validator

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, NOT_FOUND, READ_ERRORS, WRITE_ERRORS, id_in_path
from commonroom.people.models import Group
from commonroom.quizzes import selectors, services
from commonroom.quizzes.models import Attempt, Question, Quiz, Visibility
from commonroom.quizzes.policies import is_author
from commonroom.quizzes.spec import KINDS, QuestionSpec

router = Router(tags=["quizzes"])


class QuestionIn(Schema):
    kind: str = Field(..., description=f"One of {', '.join(KINDS)}")
    prompt: str = Field(..., max_length=services.MAX_TEXT)
    data: dict[str, Any] = Field(..., description="Per kind: see docs/quizzes.md")
    feedback_correct: str = Field("", max_length=services.MAX_TEXT)
    feedback_incorrect: str = Field("", max_length=services.MAX_TEXT)
    tags: list[str] = Field(default_factory=list, max_length=20)
    points: int = Field(1, ge=1, le=100)
    identifier: str = Field("", max_length=200)
    visibility: str = Field(Visibility.PRIVATE, description="private, institution, authority or everyone")


class QuestionOut(Schema):
    id: int
    kind: str
    prompt: str
    data: dict[str, Any]
    feedback_correct: str
    feedback_incorrect: str
    tags: list[str]
    points: int
    identifier: str
    visibility: str
    owner_id: int
    institution_id: int
    can_manage: bool


def _question(q: Question, actor_person: int | None) -> dict[str, Any]:
    return {"id": q.pk, "kind": q.kind, "prompt": q.prompt, "data": q.data, "feedback_correct": q.feedback_correct,
            "feedback_incorrect": q.feedback_incorrect, "tags": list(q.skills or []), "points": q.points,
            "identifier": q.identifier, "visibility": q.visibility, "owner_id": q.owner_id,
            "institution_id": q.institution_id, "can_manage": q.owner_id == actor_person}


@router.get("/questions", response={200: list[QuestionOut], **READ_ERRORS}, summary="List questions I may use")
def list_questions(request: HttpRequest, scope: str = "all", tag: str = "", kind: str = "") -> list[dict[str, Any]]:
    """Your own questions and those shared with you (``scope``: mine, shared or all), newest first, at most 500."""
    actor = actor_for(request)
    if scope not in ("mine", "shared", "all"):
        raise ValidationError({"scope": ["Use mine, shared or all."]})
    return [_question(q, actor.person_id)
            for q in selectors.question_bank(actor, scope=scope, tag=tag[:50], kind=kind if kind in KINDS else "")]


@router.post("/questions", response={201: QuestionOut, **NOT_FOUND, **WRITE_ERRORS}, summary="Write a question")
def create_question(request: HttpRequest, payload: QuestionIn) -> tuple[int, dict[str, Any]]:
    actor = actor_for(request)
    if not is_author(actor):
        raise NotFound()
    values = payload.dict()
    visibility = values.pop("visibility")
    spec = QuestionSpec(**{**values, "tags": tuple(values["tags"])})
    question = services.question_save(actor=actor, spec=spec, visibility=visibility)
    return 201, _question(question, actor.person_id)


@router.get("/questions/{question_id}", response={200: QuestionOut, **DETAIL_ERRORS}, summary="Get a question")
def get_question(request: HttpRequest, question_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    return _question(get_for(actor, Question, question_id), actor.person_id)


class QuizIn(Schema):
    title: str = Field(..., max_length=200)
    instructions: str = Field("", max_length=services.MAX_TEXT)
    mode: str = Field(Quiz.Mode.PRACTICE, description="practice or test")
    state: str = Field(Quiz.State.DRAFT, description="draft or set")
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    attempts_allowed: int | None = Field(None, ge=1, le=100)
    question_ids: list[int] = Field(default_factory=list, max_length=services.MAX_QUESTIONS,
                                    description="Questions asked every time, in order")
    pool_tags: list[str] = Field(default_factory=list, max_length=20)
    pool_size: int = Field(0, ge=0, le=services.MAX_QUESTIONS, description="How many to draw at random from the pool")

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _aware(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        """A time without an offset is the school's local time (as typed on the page)."""
        if value is not None and timezone.is_naive(value):
            return timezone.make_aware(value)
        return value


class QuizOut(Schema):
    id: int
    group_id: int
    title: str
    instructions: str
    mode: str
    state: str
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    attempts_allowed: int | None
    pool_tags: list[str]
    pool_size: int


def _quiz(q: Quiz) -> dict[str, Any]:
    return {field: getattr(q, field) for field in (
        "group_id", "title", "instructions", "mode", "state", "opens_at", "closes_at", "attempts_allowed", "pool_tags",
        "pool_size")} | {"id": q.pk}


class QuizDetailOut(QuizOut):
    question_ids: list[int] = Field(description="Shown to those who manage the quiz or see its results")
    can_manage: bool
    can_take: bool
    is_open: bool
    my_attempt_ids: list[int]


@router.get("/groups/{group_id}/quizzes", response={200: list[QuizOut], **DETAIL_ERRORS},
            summary="List a teaching group's quizzes")
def list_quizzes(request: HttpRequest, group_id: int = id_in_path()) -> list[dict[str, Any]]:
    return [_quiz(q) for q in selectors.group_quizzes(actor_for(request), group_id).quizzes]


@router.post("/groups/{group_id}/quizzes", response={201: QuizOut, **NOT_FOUND, **WRITE_ERRORS}, summary="Set a quiz")
def create_quiz(request: HttpRequest, payload: QuizIn, group_id: int = id_in_path()) -> tuple[int, dict[str, Any]]:
    actor = actor_for(request)
    group = get_for(actor, Group, group_id, "manage_quizzes")
    if group.kind != Group.Kind.TEACHING:
        raise NotFound()
    return 201, _quiz(services.quiz_save(actor=actor, group=group, **payload.dict()))


@router.get("/quizzes/{quiz_id}", response={200: QuizDetailOut, **DETAIL_ERRORS}, summary="Get a quiz")
def get_quiz(request: HttpRequest, quiz_id: int = id_in_path()) -> dict[str, Any]:
    view = selectors.quiz_detail(actor_for(request), quiz_id)
    return _quiz(view.quiz) | {"question_ids": [q.pk for q in view.questions], "can_manage": view.can_manage,
                               "can_take": view.can_take, "is_open": view.is_open,
                               "my_attempt_ids": [a.pk for a in view.my_attempts]}


class AttemptQuestionOut(Schema):
    position: int
    kind: str
    prompt: str
    points: int
    choices: list[dict[str, str]] = Field(description="single and multiple: {id, text}")
    rows: list[dict[str, str]] = Field(description="matching (left items) and ordering (items, shuffled): {id, text}")
    options: list[dict[str, str]] = Field(description="matching: the right-hand items, shuffled")
    response: Any = None
    correct: bool | None = Field(None, description="Once handed in and released")
    score: float | None = None
    feedback: str = ""
    right_answer: str = ""


class AttemptOut(Schema):
    id: int
    quiz_id: int
    learner_id: int
    number: int
    state: str = Field(description="started or submitted")
    token: str = Field(description="Send it back with the answers (only to the learner)")
    started_at: datetime.datetime
    submitted_at: datetime.datetime | None
    released: bool = Field(description="Whether the score and feedback are shown")
    score: float | None
    max_score: int
    questions: list[AttemptQuestionOut]


def _attempt(view: selectors.AttemptView) -> dict[str, Any]:
    a = view.attempt
    questions = []
    for item in view.items:
        s = item.shown
        questions.append({
            "position": s.position, "kind": s.spec.kind, "prompt": s.spec.prompt, "points": s.spec.points,
            "choices": s.choices, "rows": [{"id": r["id"], "text": r["text"]} for r in s.rows],
            "options": s.options if s.spec.kind == "matching" else [], "response": item.answer.response,
            "correct": item.result.correct if item.result else None, "score": item.result.score if item.result else None,
            "feedback": item.result.feedback if item.result else "", "right_answer": item.right_answer})
    return {"id": a.pk, "quiz_id": a.quiz_id, "learner_id": a.learner_id, "number": a.number, "state": a.state,
            "token": str(a.token) if view.is_own else "", "started_at": a.started_at, "submitted_at": a.submitted_at,
            "released": view.released, "score": a.score if view.released else None, "max_score": a.max_score,
            "questions": questions}


@router.post("/quizzes/{quiz_id}/attempts", response={201: AttemptOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Start (or carry on with) an attempt")
def start_attempt(request: HttpRequest, quiz_id: int = id_in_path()) -> tuple[int, dict[str, Any]]:
    """Your attempt in progress, or a new one with its questions drawn: the draw is stored, so asking
    again returns the same questions."""
    actor = actor_for(request)
    quiz = get_for(actor, Quiz, quiz_id, "take")
    attempt = services.attempt_start(actor=actor, quiz=quiz)
    return 201, _attempt(selectors.attempt_view(actor, attempt.pk))


class SubmitIn(Schema):
    token: str = Field(..., max_length=100)
    answers: dict[str, Any] = Field(default_factory=dict, description="Position (as text) -> response")


@router.post("/attempts/{attempt_id}/submit", response={200: AttemptOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Hand in an attempt's answers")
def submit_attempt(request: HttpRequest, payload: SubmitIn, attempt_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    attempt = get_for(actor, Attempt, attempt_id, "answer")
    responses: dict[int, Any] = {}
    for key, value in list(payload.answers.items())[:services.MAX_QUESTIONS * 2]:
        if not (key.isascii() and key.isdigit() and len(key) <= 4):
            raise ValidationError({"answers": [f"{key[:20]!r} is not a question position."]})
        responses[int(key)] = value
    services.attempt_submit(actor=actor, attempt=attempt, token=payload.token, responses=responses)
    return _attempt(selectors.attempt_view(actor, attempt_id))


@router.get("/attempts/{attempt_id}", response={200: AttemptOut, **DETAIL_ERRORS}, summary="Get an attempt and its result")
def get_attempt(request: HttpRequest, attempt_id: int = id_in_path()) -> dict[str, Any]:
    return _attempt(selectors.attempt_view(actor_for(request), attempt_id))


class QuestionStatOut(Schema):
    question_id: int
    prompt: str
    kind: str
    answered: int
    correct: int
    facility: float | None = Field(description="Share of answers that were right, 0 to 1")


@router.get("/quizzes/{quiz_id}/stats", response={200: list[QuestionStatOut], **DETAIL_ERRORS},
            summary="Per-question difficulty of a quiz")
def quiz_stats(request: HttpRequest, quiz_id: int = id_in_path()) -> list[dict[str, Any]]:
    _unused, stats = selectors.question_stats(actor_for(request), quiz_id)
    return [{"question_id": s.question_id, "prompt": s.prompt, "kind": s.kind, "answered": s.answered,
             "correct": s.correct, "facility": s.facility} for s in stats]

