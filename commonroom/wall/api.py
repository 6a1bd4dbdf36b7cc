"""The Question Wall over the API, scoped exactly as the pages are (the same selectors and services), so
missing and forbidden both answer 404 and refused input answers 422 naming the field.

Authors are given as the page shows them: to other learners an anonymous post's author is
``{"name": "A classmate", "id": null}``; the group's staff and the school's leaders get the real name and id.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, MAX_ID, NOT_FOUND, READ_ERRORS, WRITE_ERRORS, id_in_path
from commonroom.learning.models import CourseSpace
from commonroom.wall import selectors, services
from commonroom.wall.models import BODY_MAX, REASON_MAX, TITLE_MAX, Post, Report, Thread

router = Router(tags=["question wall"])


class WallAuthorOut(Schema):
    name: str
    id: int | None = Field(description="Null when the author posted anonymously and you are a classmate")
    anonymous: bool = Field(description="Posted anonymously to classmates (told only to those who see the name)")
    staff: bool


class WallPostOut(Schema):
    id: int
    is_question: bool
    author: WallAuthorOut
    body: str
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    endorsed: bool
    hidden: bool = Field(description="Hidden from learners (only staff see hidden posts)")
    hidden_reason: str


class WallThreadOut(Schema):
    id: int
    space_id: int
    section_id: int | None
    title: str
    pinned: bool
    locked: bool
    last_post_at: datetime.datetime
    answers: int
    endorsed: bool
    question: WallPostOut | None


class WallThreadPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[WallThreadOut]


class WallThreadDetailOut(WallThreadOut):
    posts: list[WallPostOut]
    can_answer: bool
    can_moderate: bool


class WallThreadFilter(Schema):
    topic: int | None = Field(None, ge=1, le=MAX_ID, description="A section (topic) of the space")
    order: Literal["newest", "unanswered"] = "newest"
    page: int = Field(1, ge=1, le=100_000)


class WallThreadIn(Schema):
    title: str = Field(..., max_length=TITLE_MAX * 2)
    body: str = Field(..., max_length=BODY_MAX * 2)
    anonymous: bool = Field(False, description="Learners only: other learners see “A classmate”")
    section_id: int | None = Field(None, ge=1, le=MAX_ID)


class WallPostIn(Schema):
    body: str = Field(..., max_length=BODY_MAX * 2)
    anonymous: bool = False


class WallThreadActionIn(Schema):
    action: Literal["pin", "unpin", "lock", "unlock"]


class WallPostActionIn(Schema):
    action: Literal["endorse", "unendorse", "hide", "unhide"]
    reason: str = Field("", max_length=REASON_MAX * 2, description="Required to hide")


class WallReportIn(Schema):
    reason: str = Field(..., max_length=REASON_MAX * 2)


class WallResolveIn(Schema):
    outcome: Literal["kept", "hidden"]


class WallReportOut(Schema):
    id: int
    space_id: int
    thread_id: int
    post: WallPostOut
    reporter: str
    reason: str
    outcome: str
    created_at: datetime.datetime


class WallReportFilter(Schema):
    space_id: int | None = Field(None, ge=1, le=MAX_ID)


def _post(view: selectors.PostView) -> dict[str, Any]:
    p = view.post
    return {"id": p.pk, "is_question": p.is_question, "author": view.author.as_dict(), "body": p.body,
            "created_at": p.created_at, "edited_at": p.edited_at, "endorsed": p.endorsed, "hidden": p.hidden,
            "hidden_reason": p.hidden_reason}


def _thread(t: Thread, question: selectors.PostView | None, answers: int, endorsed: bool) -> dict[str, Any]:
    return {"id": t.pk, "space_id": t.space_id, "section_id": t.section_id, "title": t.title, "pinned": t.pinned,
            "locked": t.locked, "last_post_at": t.last_post_at, "answers": answers, "endorsed": endorsed,
            "question": _post(question) if question else None}


def _detail(actor: Any, thread_id: int) -> dict[str, Any]:
    view = selectors.thread_detail(actor, thread_id)
    answers = view.answers
    return _thread(view.thread, view.question, len([a for a in answers if not a.post.hidden]),
                   any(a.post.endorsed and not a.post.hidden for a in answers)) | {
        "posts": [_post(p) for p in view.posts], "can_answer": view.can_answer, "can_moderate": view.can_moderate}


@router.get("/courses/{space_id}/wall/threads", response={200: WallThreadPageOut, **DETAIL_ERRORS},
            summary="List a course space's Question Wall threads")
def list_threads(request: HttpRequest, filters: Query[WallThreadFilter], space_id: int = id_in_path()) -> dict[str, Any]:
    """Pinned first, then newest activity (or unanswered first); 20 a page."""
    view = selectors.wall(actor_for(request), space_id, topic=filters.topic, order=filters.order, page=filters.page)
    return {"count": view.page.paginator.count, "page": view.page.number, "pages": view.page.paginator.num_pages,
            "items": [_thread(r.thread, r.question, r.answers, r.endorsed) for r in view.rows]}


@router.post("/courses/{space_id}/wall/threads", response={201: WallThreadDetailOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Ask a question on the Question Wall")
def create_thread(request: HttpRequest, payload: WallThreadIn, space_id: int = id_in_path()) -> tuple[int, dict[str, Any]]:
    actor = actor_for(request)
    space = get_for(actor, CourseSpace, space_id, "wall_write")
    thread = services.thread_create(actor=actor, space=space, title=payload.title, body=payload.body,
                                    anonymous=payload.anonymous, section=payload.section_id)
    return 201, _detail(actor, thread.pk)


@router.get("/wall/threads/{thread_id}", response={200: WallThreadDetailOut, **DETAIL_ERRORS},
            summary="Get a Question Wall thread")
def get_thread(request: HttpRequest, thread_id: int = id_in_path()) -> dict[str, Any]:
    return _detail(actor_for(request), thread_id)


@router.post("/wall/threads/{thread_id}/posts", response={201: WallThreadDetailOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Answer a Question Wall thread")
def create_post(request: HttpRequest, payload: WallPostIn, thread_id: int = id_in_path()) -> tuple[int, dict[str, Any]]:
    actor = actor_for(request)
    thread = get_for(actor, Thread, thread_id, "answer")
    services.post_create(actor=actor, thread=thread, body=payload.body, anonymous=payload.anonymous)
    return 201, _detail(actor, thread.pk)


@router.post("/wall/threads/{thread_id}/moderation", response={200: WallThreadDetailOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Pin, unpin, lock or unlock a thread")
def moderate_thread(request: HttpRequest, payload: WallThreadActionIn, thread_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    thread = get_for(actor, Thread, thread_id, "moderate")
    services.thread_moderate(actor=actor, thread=thread, action=payload.action)
    return _detail(actor, thread.pk)


@router.post("/wall/posts/{post_id}/moderation", response={200: WallThreadDetailOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Endorse, unendorse, hide or unhide a post")
def moderate_post(request: HttpRequest, payload: WallPostActionIn, post_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    post = get_for(actor, Post, post_id, "moderate", queryset=Post.objects.select_related("thread"))
    services.post_moderate(actor=actor, post=post, action=payload.action, reason=payload.reason)
    return _detail(actor, post.thread_id)


def _report(row: selectors.ReportRow) -> dict[str, Any]:
    r = row.report
    return {"id": r.pk, "space_id": row.space.pk, "thread_id": r.post.thread_id, "post": _post(row.post),
            "reporter": r.reporter.full_name, "reason": r.reason, "outcome": r.outcome, "created_at": r.created_at}


class WallReportAckOut(Schema):
    id: int
    post_id: int


@router.post("/wall/posts/{post_id}/reports", response={201: WallReportAckOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Report a post to the group's teachers")
def create_report(request: HttpRequest, payload: WallReportIn, post_id: int = id_in_path()) -> tuple[int, dict[str, Any]]:
    actor = actor_for(request)
    post = get_for(actor, Post, post_id, "report")
    report = services.report_create(actor=actor, post=post, reason=payload.reason)
    return 201, {"id": report.pk, "post_id": post.pk}


@router.get("/wall/reports", response={200: list[WallReportOut], **READ_ERRORS, **NOT_FOUND},
            summary="List open reports of posts in the groups you teach")
def list_reports(request: HttpRequest, filters: Query[WallReportFilter]) -> list[dict[str, Any]]:
    _space, rows = selectors.reports(actor_for(request), space_id=filters.space_id)
    return [_report(row) for row in rows]


@router.post("/wall/reports/{wall_report_id}/resolve", response={200: WallReportOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Resolve a report: keep or hide the post")
def resolve_report(request: HttpRequest, payload: WallResolveIn, wall_report_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    report = get_for(actor, Report, wall_report_id, "resolve", queryset=Report.objects.select_related("post__thread__space"))
    services.report_resolve(actor=actor, report=report, outcome=payload.outcome)
    _space, rows = selectors.reports(actor, space_id=None, open_only=False, report_id=report.pk)
    return _report(rows[0])
