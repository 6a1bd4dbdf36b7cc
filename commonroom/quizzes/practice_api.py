"""Adaptive practice over the API, scoped exactly as the pages are (the same selectors and services).

``GET /practice/{practice_quiz_id}/next`` gives the question to answer now (the same one until it is answered, so it is
safe to repeat); ``POST /practice/turns/{practice_turn_id}/answer`` answers it once (repeating it returns the first
answer's result and changes nothing); mastery per skill for oneself, a learner or a group.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, NOT_FOUND, READ_ERRORS, WRITE_ERRORS, id_in_path
from commonroom.quizzes import practice_selectors, practice_services
from commonroom.quizzes.practice_models import PracticeTurn
from commonroom.quizzes.spec import QuestionSpec

router = Router(tags=["practice"])


class PracticeOptionOut(Schema):
    id: str
    text: str


class TurnOut(Schema):
    id: int = Field(description="The turn: answer it with POST /practice/turns/{id}/answer")
    quiz_id: int
    number: int
    kind: str
    prompt: str
    points: int
    skills: list[str]
    choices: list[PracticeOptionOut] = Field(description="single and multiple")
    left: list[PracticeOptionOut] = Field(description="matching: match each of these ...")
    right: list[PracticeOptionOut] = Field(description="matching: ... to one of these")
    items: list[PracticeOptionOut] = Field(description="ordering: put these in order")


class SkillOut(Schema):
    skill: str
    mastery: str = Field(description="not_started, practising, nearly or mastered")
    rating: float
    answers: int
    correct: int
    percent: int = Field(description="Chance in percent of answering a question of average difficulty right")


class AnswerIn(Schema):
    response: Any = Field(..., description="The answer, in the shape of the question's kind (docs/quizzes.md)")


class AnswerOut(Schema):
    turn_id: int
    correct: bool
    score: float
    points: int
    feedback: str
    right_answer: str
    skills: list[SkillOut]


class LearnerSkillsOut(Schema):
    learner_id: int
    institution: str
    skills: list[SkillOut]


class GroupLearnerOut(Schema):
    learner_id: int
    name: str
    skills: list[SkillOut]


class GroupSkillsOut(Schema):
    group_id: int
    skills: list[str]
    learners: list[GroupLearnerOut]


def _items(raw: Any) -> list[dict[str, str]]:
    return [{"id": str(i.get("id")), "text": str(i.get("text", ""))} for i in raw or () if isinstance(i, dict)]


def shown_items(spec: QuestionSpec, turn_id: int) -> list[dict[str, str]]:
    """An ordering question's items in a shuffled order (fixed per turn), so the order shown is not the answer."""
    import random

    items = _items(spec.data.get("items"))
    random.Random(turn_id).shuffle(items)  # as the page's form does
    return items


def _turn(turn: PracticeTurn) -> dict[str, Any]:
    spec = practice_services.turn_spec(turn)
    data = spec.data if isinstance(spec.data, dict) else {}
    return {"id": turn.pk, "quiz_id": turn.quiz_id, "number": turn.number, "kind": spec.kind, "prompt": spec.prompt,
            "points": spec.points, "skills": list(turn.skills or ()), "choices": _items(data.get("choices")),
            "left": _items(data.get("left")), "right": _items(data.get("right")),
            "items": shown_items(spec, turn.pk) if spec.kind == "ordering" else []}


def _skill(row: practice_selectors.SkillRow) -> dict[str, Any]:
    est = row.estimate
    return {"skill": row.skill, "mastery": row.label, "rating": round(est.rating, 4), "answers": est.answers,
            "correct": est.correct, "percent": row.percent}


@router.get("/practice/{practice_quiz_id}/next", response={200: TurnOut, **DETAIL_ERRORS}, summary="The next practice question")
def next_question(request: HttpRequest, practice_quiz_id: int = id_in_path()) -> dict[str, Any]:
    """The question chosen for you in this practice quiz (the same one until you answer it). 404 when the quiz has
    no questions, or you may not practise it."""
    actor = actor_for(request)
    quiz = practice_selectors.quiz_to_practise(actor, practice_quiz_id)
    turn = practice_services.practice_next(actor=actor, quiz=quiz)
    if turn is None:
        raise NotFound()
    return _turn(turn)


@router.post("/practice/turns/{practice_turn_id}/answer", response={200: AnswerOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Answer a practice question")
def answer(request: HttpRequest, payload: AnswerIn, practice_turn_id: int = id_in_path()) -> dict[str, Any]:
    """Scores the answer, gives the feedback and updates your skills. Sending it again returns the first answer's
    result and changes nothing. An empty answer, or one that does not fit the question, answers 422."""
    actor = actor_for(request)
    turn = get_for(actor, PracticeTurn, practice_turn_id, "answer", queryset=PracticeTurn.objects.select_related("quiz", "quiz__group"))
    practice_services.practice_answer(actor=actor, turn=turn, response=payload.response)
    view = practice_selectors.turn_view(actor, turn.pk)
    done = view.turn
    return {"turn_id": done.pk, "correct": bool(done.correct), "score": done.score or 0.0,
            "points": int(done.spec.get("points", 1)), "feedback": done.feedback, "right_answer": view.right_answer,
            "skills": [_skill(row) for row in view.skills]}


def _learner_skills(data: practice_selectors.LearnerSkills) -> list[dict[str, Any]]:
    return [{"learner_id": data.learner.pk, "institution": name, "skills": [_skill(r) for r in rows]}
            for name, rows in data.by_institution]


@router.get("/practice/skills", response={200: list[LearnerSkillsOut], **READ_ERRORS}, summary="My skills")
def my_skills(request: HttpRequest) -> list[dict[str, Any]]:
    """Your mastery per skill, by school (empty unless you are a learner who has practised)."""
    actor = actor_for(request)
    if not actor.is_learner:
        return []
    return _learner_skills(practice_selectors.skills_for_learner(actor, actor.person_id))


@router.get("/learners/{learner_id}/skills", response={200: list[LearnerSkillsOut], **DETAIL_ERRORS},
            summary="A learner's skills")
def learner_skills(request: HttpRequest, learner_id: int = id_in_path()) -> list[dict[str, Any]]:
    """The learner's mastery per skill, by school, for whoever may see the learner (audited)."""
    return _learner_skills(practice_selectors.skills_for_learner(actor_for(request), learner_id))


@router.get("/groups/{group_id}/skills", response={200: GroupSkillsOut, **DETAIL_ERRORS},
            summary="A group's mastery per skill")
def group_skills(request: HttpRequest, group_id: int = id_in_path()) -> dict[str, Any]:
    """For the group's teachers and the school's leaders: each learner's mastery on the skills practised in the
    group's quizzes (audited)."""
    data = practice_selectors.group_mastery(actor_for(request), group_id)
    return {"group_id": data.group.pk, "skills": data.skills,
            "learners": [{"learner_id": pk, "name": name, "skills": [_skill(r) for r in row]}
                         for pk, name, row in data.learners]}
