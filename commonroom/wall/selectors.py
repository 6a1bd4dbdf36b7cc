"""Reads of the Question Wall, each starting from the ``authz`` filter.

Who wrote a post is decided here, once, for pages and the API alike (``Author``): a post written
anonymously by a learner shows "A classmate" (and no id) to other learners; the author sees "You"; the
group's staff and the school's leaders always see the real name, marked as posted anonymously.

Reads of the wall are not audited as reads of a learner's record: the wall is the class's shared
conversation, like the course space's pages (which are not audited either), and nothing on it comes from
a learner's record. Every write and every moderation step is audited (``services.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from commonroom.authz.actor import Actor
from commonroom.authz.api import can, get_for, visible
from commonroom.common.dates import in_force
from commonroom.learning.models import CourseSpace, Section
from commonroom.people.models import GroupStaff
from commonroom.wall import services
from commonroom.wall.models import Post, Report, Thread
from commonroom.wall.text import render_post

PAGE_SIZE = 20
ORDERS = ("newest", "unanswered")


@dataclass(frozen=True)
class Author:
    name: str
    person_id: int | None  # None when the reader may not know who wrote it
    anonymous: bool  # posted anonymously to classmates (only told to those who see the name)
    staff: bool  # a member of the group's staff

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.person_id, "anonymous": self.anonymous, "staff": self.staff}


class Reader:
    """What the reader may know about authors in one course space."""

    def __init__(self, actor: Actor, space: CourseSpace) -> None:
        self.actor = actor
        self.is_staff = can(actor, "wall_staff", space)
        self.staff_ids = set(GroupStaff.objects.filter(in_force(on=actor.on), group_id=space.group_id)
                             .values_list("person_id", flat=True))

    def author(self, post: Post) -> Author:
        staff = post.author_id in self.staff_ids
        if post.author_id == self.actor.person_id:
            return Author(_("You"), post.author_id, post.anonymous, staff)
        if post.anonymous and not self.is_staff:
            return Author(_("A classmate"), None, False, False)
        return Author(post.author.full_name, post.author_id, post.anonymous, staff)


@dataclass
class PostView:
    post: Post
    author: Author
    html: SafeString
    can_change: bool = False
    can_report: bool = False
    reported: bool = False


@dataclass
class ThreadRow:
    thread: Thread
    question: PostView | None
    answers: int
    endorsed: bool


@dataclass
class WallView:
    space: CourseSpace
    sections: list[Section]
    topic: Section | None
    order: str
    page: Page
    rows: list[ThreadRow]
    can_write: bool
    can_moderate: bool
    is_staff: bool
    open_reports: int = 0
    query: str = ""


def _sites(space: CourseSpace) -> list[str]:
    return services.allowed_sites(space.institution_id)


def _space(actor: Actor, space_id: Any) -> CourseSpace:
    return get_for(actor, CourseSpace, space_id, "wall_read", queryset=CourseSpace.objects.select_related("group"))


def wall(actor: Actor, space_id: Any, *, topic: Any = None, order: str = "newest", page: Any = 1) -> WallView:
    """The threads of a space's wall (of one topic if ``topic`` is one of its sections): pinned first, then
    the newest activity first, or unanswered threads first (``order="unanswered"``); 20 a page."""
    space = _space(actor, space_id)
    sections = list(space.sections.all())
    chosen = next((s for s in sections if str(s.pk) == str(topic)), None) if topic not in (None, "") else None
    order = order if order in ORDERS else "newest"
    reader = Reader(actor, space)
    answers = visible(actor, Post).filter(thread=OuterRef("pk"), is_question=False)
    threads = (visible(actor, Thread).filter(space=space)
               .annotate(answer_count=Count("posts", filter=Q(posts__is_question=False, posts__hidden=False)),
                         has_endorsed=Exists(answers.filter(endorsed=True, hidden=False)))
               .select_related("section"))
    if chosen is not None:
        threads = threads.filter(section=chosen)
    ordering = ["-pinned", "-last_post_at", "-pk"]
    if order == "unanswered":
        ordering = ["-pinned", "answer_count", "-last_post_at", "-pk"]
    paginator = Paginator(threads.order_by(*ordering), PAGE_SIZE)
    current = paginator.get_page(page)
    items = list(current.object_list)
    questions = {p.thread_id: p for p in visible(actor, Post).filter(thread__in=[t.pk for t in items], is_question=True)
                 .select_related("author")}
    sites = _sites(space)
    rows = []
    for thread in items:
        question = questions.get(thread.pk)
        view = PostView(question, reader.author(question), render_post(question.body, sites)) if question else None
        rows.append(ThreadRow(thread, view, thread.answer_count, thread.has_endorsed))
    moderate = can(actor, "wall_moderate", space)
    reports = (visible(actor, Report, "resolve").filter(post__thread__space=space, outcome=Report.Outcome.OPEN).count()
               if moderate else 0)
    query = "&".join(f"{k}={v}" for k, v in (("topic", chosen.pk if chosen else ""), ("order", order)) if v)
    return WallView(space, sections, chosen, order, current, rows, can(actor, "wall_write", space), moderate,
                    reader.is_staff, reports, query)


@dataclass
class ThreadView:
    thread: Thread
    space: CourseSpace
    posts: list[PostView]
    can_answer: bool
    can_moderate: bool
    is_staff: bool
    is_learner: bool
    sites: list[str] = field(default_factory=list)

    @property
    def question(self) -> PostView | None:
        return next((p for p in self.posts if p.post.is_question), None)

    @property
    def answers(self) -> list[PostView]:
        return [p for p in self.posts if not p.post.is_question]


def thread_detail(actor: Actor, thread_id: Any) -> ThreadView:
    """A thread with the posts the reader may see: the question first, endorsed answers next, then the
    others oldest first; hidden posts only for staff."""
    thread = get_for(actor, Thread, thread_id, queryset=Thread.objects.select_related("space__group", "section"))
    space = thread.space
    reader = Reader(actor, space)
    mine = set(Report.objects.filter(post__thread=thread, reporter_id=actor.person_id).values_list("post_id", flat=True)) \
        if actor.person_id else set()
    changeable = set(visible(actor, Post, "change").filter(thread=thread).values_list("pk", flat=True))
    reportable = set(visible(actor, Post, "report").filter(thread=thread).values_list("pk", flat=True))
    sites = _sites(space)
    posts = [PostView(p, reader.author(p), render_post(p.body, sites),
                      can_change=p.pk in changeable and services.may_still_change(p) and not thread.locked,
                      can_report=p.pk in reportable and p.pk not in mine, reported=p.pk in mine)
             for p in visible(actor, Post).filter(thread=thread).select_related("author")
             .order_by("-is_question", "-endorsed", "created_at", "pk")]
    return ThreadView(thread, space, posts, can(actor, "answer", thread) and not thread.locked,
                      can(actor, "moderate", thread), reader.is_staff, actor.is_learner, sites)


@dataclass
class ReportRow:
    report: Report
    post: PostView
    space: CourseSpace


def reports(actor: Actor, *, space_id: Any = None, open_only: bool = True,
            report_id: int | None = None) -> tuple[CourseSpace | None, list[ReportRow]]:
    """Reports the actor may resolve: in one space (``space_id``), or across every group they teach (the
    oldest first, at most 500)."""
    space = None
    rows = visible(actor, Report, "resolve")
    if report_id is not None:
        rows = rows.filter(pk=report_id)
    if space_id is not None:
        space = get_for(actor, CourseSpace, space_id, "wall_moderate", queryset=CourseSpace.objects.select_related("group"))
        rows = rows.filter(post__thread__space=space)
    if open_only:
        rows = rows.filter(outcome=Report.Outcome.OPEN)
    found = list(rows.select_related("post__author", "post__thread__space__group", "reporter").order_by("created_at", "pk")[:500])
    staff = set(GroupStaff.objects.filter(in_force(on=actor.on), group_id__in={r.post.thread.space.group_id for r in found})
                .values_list("person_id", flat=True))
    sites = {inst: services.allowed_sites(inst) for inst in {r.institution_id for r in found}}
    out = []
    for r in found:
        post = r.post
        author = Author(post.author.full_name, post.author_id, post.anonymous, post.author_id in staff)
        out.append(ReportRow(r, PostView(post, author, render_post(post.body, sites[r.institution_id])), post.thread.space))
    return space, out


__all__ = ["Author", "Reader", "reports", "thread_detail", "wall"]
