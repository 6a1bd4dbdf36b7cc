"""Authorisation specs for the Question Wall (the oracle: ``testing/oracle_wall.py``).

Targets: a group for a space's wall (``a1.maths``), a thread by its group (``a1.maths``: "How do I add
fractions?"), a post (``a1.maths.answer``: learnerA2's answer there; see ``oracle_wall.POSTS``), a report by
its group, an institution for the allowed sites."""

from __future__ import annotations

from django.utils import timezone

from commonroom.testing import oracle_wall as ow
from commonroom.testing.matrix import SIGNED_IN, Spec
from commonroom.testing.world import World

SPACES = ["a1.maths", "a1.art", "a1.formA", "b1.maths"]
THREADS = list(ow.THREADS)
POSTS = list(ow.POSTS)
CHANGEABLE = ["a1.maths.answer", "a1.maths.hidden", "b1.maths.answer"]
REPORTS = list(ow.REPORTS)
INSTITUTIONS = ["a1", "b1", "solo"]


def _space(world: World, target: str) -> int:
    from commonroom.learning.models import CourseSpace

    return CourseSpace.objects.get(group=world.groups[target]).pk


def _thread(world: World, target: str) -> int:
    from commonroom.wall.models import Thread

    return Thread.objects.get(space__group=world.groups[ow.THREADS[target][0]]).pk


def _post(world: World, target: str) -> int:
    from commonroom.wall.models import Post

    thread, author, _hidden = ow.POSTS[target]
    return Post.objects.get(thread_id=_thread(world, thread), author_id=world.people[author].pk).pk


def _report(world: World, target: str) -> int:
    from commonroom.wall.models import Report

    return Report.objects.get(post_id=_post(world, ow.REPORTS[target])).pk


def prepare(world: World) -> None:
    """Posts written just now, so that their authors are still inside the window to change them."""
    from commonroom.wall.models import Post

    Post.objects.filter(thread__space__group__in=[world.groups[g] for g in SPACES]).update(created_at=timezone.now())


def _inst(world: World, key: str) -> int:
    return world.institutions[key].pk


PAGE_SPECS: dict[str, Spec] = {
    "wall:space": Spec(lambda w, t: f"/courses/{_space(w, t)}/wall/", ow.may_read_wall, SPACES),
    "wall:space_reports": Spec(lambda w, t: f"/courses/{_space(w, t)}/wall/reports/", ow.may_moderate_wall, SPACES),
    "wall:thread": Spec(lambda w, t: f"/wall/threads/{_thread(w, t)}/", ow.may_view_thread, THREADS),
    "wall:thread_moderate": Spec(lambda w, t: f"/wall/threads/{_thread(w, t)}/moderate/", ow.may_moderate_thread,
                                 THREADS, method="post", ok=(302,)),
    "wall:post_edit": Spec(lambda w, t: f"/wall/posts/{_post(w, t)}/edit/", ow.may_change_post, CHANGEABLE),
    "wall:post_delete": Spec(lambda w, t: f"/wall/posts/{_post(w, t)}/delete/", ow.may_change_post, CHANGEABLE,
                             method="post", ok=(302,)),
    "wall:post_moderate": Spec(lambda w, t: f"/wall/posts/{_post(w, t)}/moderate/", ow.may_moderate_post, POSTS,
                               method="post", ok=(302,)),
    "wall:post_hide": Spec(lambda w, t: f"/wall/posts/{_post(w, t)}/hide/", ow.may_moderate_post, POSTS),
    "wall:post_report": Spec(lambda w, t: f"/wall/posts/{_post(w, t)}/report/", ow.may_report_post, POSTS),
    "wall:reports": Spec(lambda w, t: "/wall/reports/", SIGNED_IN),
    "wall:report_resolve": Spec(lambda w, t: f"/wall/reports/{_report(w, t)}/resolve/", ow.may_resolve_report,
                                REPORTS, method="post", ok=(302,)),
    "wall:settings": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/wall/settings/", ow.may_change_wall_settings,
                          INSTITUTIONS),
}

API_SPECS: dict[tuple[str, str], Spec] = {
    ("get", "/api/v1/courses/{space_id}/wall/threads"): Spec(lambda w, t: "", ow.may_read_wall, SPACES),
    ("post", "/api/v1/courses/{space_id}/wall/threads"): Spec(
        lambda w, t: "", ow.may_write_wall, SPACES, ok=(201,),
        body=lambda w, t: {"title": "From the matrix", "body": "Why?", "anonymous": True}),
    ("get", "/api/v1/wall/threads/{thread_id}"): Spec(lambda w, t: "", ow.may_view_thread, THREADS),
    ("post", "/api/v1/wall/threads/{thread_id}/posts"): Spec(lambda w, t: "", ow.may_answer, THREADS, ok=(201,),
                                                             body=lambda w, t: {"body": "Because."}),
    ("post", "/api/v1/wall/threads/{thread_id}/moderation"): Spec(lambda w, t: "", ow.may_moderate_thread, THREADS,
                                                                  body=lambda w, t: {"action": "pin"}),
    ("post", "/api/v1/wall/posts/{post_id}/moderation"): Spec(lambda w, t: "", ow.may_moderate_post, POSTS,
                                                              body=lambda w, t: {"action": "hide", "reason": "Matrix"}),
    ("post", "/api/v1/wall/posts/{post_id}/reports"): Spec(lambda w, t: "", ow.may_report_post, POSTS, ok=(201, 422),
                                                           body=lambda w, t: {"reason": "Matrix"}),
    ("get", "/api/v1/wall/reports"): Spec(lambda w, t: "", SIGNED_IN),
    ("post", "/api/v1/wall/reports/{wall_report_id}/resolve"): Spec(lambda w, t: "", ow.may_resolve_report, REPORTS,
                                                               body=lambda w, t: {"outcome": "kept"}),
}

PLACEHOLDERS = {"{thread_id}": _thread, "{post_id}": _post, "{wall_report_id}": _report}

# For commonroom/config/tests/test_openapi_contract.py: every operation answers as its schema declares.
CONTRACT_BODIES = {
    ("post", "/api/v1/courses/{space_id}/wall/threads"): {"title": "Contract", "body": "Why?"},
    ("post", "/api/v1/wall/threads/{thread_id}/posts"): {"body": "Because."},
    ("post", "/api/v1/wall/threads/{thread_id}/moderation"): {"action": "lock"},
    ("post", "/api/v1/wall/posts/{post_id}/moderation"): {"action": "endorse"},
    ("post", "/api/v1/wall/posts/{post_id}/reports"): {"reason": "Contract"},
    ("post", "/api/v1/wall/reports/{wall_report_id}/resolve"): {"outcome": "hidden"},
}


def contract_path_values(world: World) -> dict[str, list[int]]:
    missing = 2**31 - 1
    return {"thread_id": [_thread(world, "a1.maths"), missing], "post_id": [_post(world, "a1.maths.answer"), missing],
            "wall_report_id": [_report(world, "a1.maths"), missing]}
