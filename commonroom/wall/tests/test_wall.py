"""The Question Wall: who reads, writes and moderates; anonymity (never leaked to peers, pages or API);
hidden posts; reports; the edit window; the allowed sites; form errors; pinned query counts."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from commonroom.authz.api import NotFound, can, visible
from commonroom.authz.models import AuditEvent
from commonroom.learning.models import CourseSpace, Section
from commonroom.wall import selectors, services
from commonroom.wall.models import BODY_MAX, Post, Report, Thread, WallSettings
from commonroom.wall.testing_world import ART_TITLE, MATHS_TITLE


def _client(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _space(world, group="a1.maths") -> CourseSpace:
    return CourseSpace.objects.get(group=world.groups[group])


def _thread(world, group="a1.maths") -> Thread:
    return Thread.objects.get(space=_space(world, group), title__in=(MATHS_TITLE, ART_TITLE))


def _post(world, who: str, group="a1.maths") -> Post:
    return Post.objects.get(thread=_thread(world, group), author=world.people[who])


def _ask(world, who="a1.learnerA2", *, anonymous=True, title="Why is the sky blue?", body="Really, why?") -> Thread:
    return services.thread_create(actor=world.actor(who), space=_space(world), title=title, body=body, anonymous=anonymous)


# Anonymity ----------------------------------------------------------------------------------------


def test_an_anonymous_askers_name_never_reaches_classmates_in_pages_or_api(world):
    name = world.people["a1.learnerA1"].full_name
    learner_id = world.people["a1.learnerA1"].pk
    thread = _thread(world)
    for peer in ("a1.learnerA2", "a1.learnerB1"):
        client = _client(world, peer)
        for url in (f"/courses/{thread.space_id}/wall/", f"/wall/threads/{thread.pk}/"):
            html = client.get(url).content.decode()
            assert "A classmate" in html and name not in html, (peer, url)
        for url in (f"/api/v1/courses/{thread.space_id}/wall/threads", f"/api/v1/wall/threads/{thread.pk}"):
            text = client.get(url).content.decode()
            assert name not in text and world.people["a1.learnerA1"].given_name not in text, (peer, url)
            data = json.loads(text)
            question = data["items"][0]["question"] if "items" in data else data["posts"][0]
            assert question["author"] == {"name": "A classmate", "id": None, "anonymous": False, "staff": False}
            authors = [p["author"] for p in data.get("posts", [])] + [i["question"]["author"] for i in data.get("items", [])]
            assert learner_id not in [a["id"] for a in authors]


@pytest.mark.parametrize("staff", ["a1.teacher", "a1.head", "a1.leader"])
def test_staff_and_leaders_always_see_the_real_name(world, staff):
    name = world.people["a1.learnerA1"].full_name
    thread = _thread(world)
    client = _client(world, staff)
    html = client.get(f"/wall/threads/{thread.pk}/").content.decode()
    assert name in html and "posted anonymously to classmates" in html
    data = client.get(f"/api/v1/wall/threads/{thread.pk}").json()
    assert data["posts"][0]["author"] == {"name": name, "id": world.people["a1.learnerA1"].pk, "anonymous": True,
                                          "staff": False}


def test_the_author_sees_you_and_staff_cannot_post_anonymously(world):
    view = selectors.thread_detail(world.actor("a1.learnerA1"), _thread(world).pk)
    assert view.posts[0].author.name == "You"
    thread = _ask(world, "a1.teacher", anonymous=True)
    assert not thread.posts.get().anonymous
    names = [p.author for p in selectors.thread_detail(world.actor("a1.learnerA2"), thread.pk).posts]
    assert names[0].name == world.people["a1.teacher"].full_name and names[0].staff


def test_a_learners_answer_can_be_anonymous_too(world):
    post = services.post_create(actor=world.actor("a1.learnerB2"), thread=_thread(world), body="Same denominators!",
                                anonymous=True)
    peer = selectors.thread_detail(world.actor("a1.learnerA2"), post.thread_id)
    assert next(p for p in peer.posts if p.post.pk == post.pk).author.person_id is None
    staff = selectors.thread_detail(world.actor("a1.teacher"), post.thread_id)
    assert next(p for p in staff.posts if p.post.pk == post.pk).author.person_id == world.people["a1.learnerB2"].pk


# Who reads and writes -----------------------------------------------------------------------------


def test_parents_other_groups_and_other_schools_see_nothing(world):
    for persona in ("parent.a1", "parent.two", "a1.learnerB1", "b1.teacher", "a1.office", "la1.officer"):
        actor = world.actor(persona)
        if persona == "a1.learnerB1":  # in maths, not in art
            assert not visible(actor, Thread).filter(title=ART_TITLE, institution=world.institutions["a1"]).exists()
            continue
        assert not visible(actor, Thread).filter(institution=world.institutions["a1"]).exists(), persona
        assert not visible(actor, Post).filter(institution=world.institutions["a1"]).exists(), persona
    assert _client(world, "parent.a1").get(f"/wall/threads/{_thread(world).pk}/").status_code == 404


def test_leaders_read_but_do_not_post_or_moderate(world):
    leader, space = world.actor("a1.leader"), _space(world)
    assert can(leader, "wall_read", space) and not can(leader, "wall_write", space)
    assert not can(leader, "moderate", _thread(world))
    with pytest.raises(NotFound):
        _ask(world, "a1.leader")
    response = _client(world, "a1.leader").get(f"/courses/{space.pk}/wall/")
    assert response.status_code == 200 and b"Ask a question" not in response.content


def test_a_barred_teacher_sees_none_of_the_learners_threads(world):
    teacher2 = world.actor("a1.teacher2")  # teaches art, barred from learnerA1 who asked there
    assert not visible(teacher2, Thread).filter(title=ART_TITLE).exists()
    assert not visible(teacher2, Post).filter(author=world.people["a1.learnerA1"]).exists()
    assert not visible(teacher2, Post).filter(thread__title=ART_TITLE).exists()  # nor answers in that thread
    assert can(world.actor("a1.teacher2"), "wall_moderate", _space(world, "a1.art"))


# Hidden posts -------------------------------------------------------------------------------------


def test_hidden_posts_are_for_staff_only_greyed_with_the_reason(world):
    thread = _thread(world)
    for learner in ("a1.learnerA1", "a1.learnerB1"):  # learnerB1 wrote it: hidden from them too
        html = _client(world, learner).get(f"/wall/threads/{thread.pk}/").content.decode()
        assert "Anyone up for football?" not in html
        api = _client(world, learner).get(f"/api/v1/wall/threads/{thread.pk}").json()
        assert all(not p["hidden"] for p in api["posts"]) and len(api["posts"]) == 3
    html = _client(world, "a1.teacher").get(f"/wall/threads/{thread.pk}/").content.decode()
    assert "Anyone up for football?" in html and "Hidden from learners" in html and "Off topic" in html
    assert "wall-hidden" in html


def test_hide_needs_a_reason_and_unhide_shows_it_again(world):
    teacher, post = world.actor("a1.teacher"), _post(world, "a1.learnerA2")
    with pytest.raises(ValidationError) as error:
        services.post_moderate(actor=teacher, post=post, action="hide", reason="  \x00 ")
    assert "reason" in error.value.message_dict
    response = _client(world, "a1.teacher").post(f"/wall/posts/{post.pk}/hide/", {"reason": ""})
    assert response.status_code == 200 and b"govuk-error-summary" in response.content and b"Give a reason" in response.content
    services.post_moderate(actor=teacher, post=post, action="hide", reason="Unkind")
    assert not visible(world.actor("a1.learnerA1"), Post).filter(pk=post.pk).exists()
    services.post_moderate(actor=teacher, post=Post.objects.get(pk=post.pk), action="unhide")
    assert visible(world.actor("a1.learnerA1"), Post).filter(pk=post.pk).exists()
    assert AuditEvent.objects.filter(action="wall.hide", object_id=str(post.pk), detail__reason="Unkind").exists()


def test_hiding_a_question_hides_its_thread_from_learners(world):
    thread, teacher = _thread(world), world.actor("a1.teacher")
    services.post_moderate(actor=teacher, post=_post(world, "a1.learnerA1"), action="hide", reason="Unkind title")
    assert not visible(world.actor("a1.learnerA2"), Thread).filter(pk=thread.pk).exists()
    assert not can(world.actor("a1.learnerA2"), "answer", thread)
    assert _client(world, "a1.learnerA2").get(f"/wall/threads/{thread.pk}/").status_code == 404
    assert MATHS_TITLE not in _client(world, "a1.learnerA2").get(f"/courses/{thread.space_id}/wall/").content.decode()
    html = _client(world, "a1.teacher").get(f"/courses/{thread.space_id}/wall/").content.decode()
    assert MATHS_TITLE in html and "Hidden from learners" in html
    assert visible(world.actor("a1.leader"), Thread).filter(pk=thread.pk).exists()


# Moderation ---------------------------------------------------------------------------------------


def test_teacher_pins_locks_and_endorses(world):
    teacher, thread = world.actor("a1.teacher"), _thread(world)
    newer = _ask(world)
    order = [r.thread.pk for r in selectors.wall(teacher, thread.space_id).rows]
    assert order[0] == newer.pk
    services.thread_moderate(actor=teacher, thread=thread, action="pin")
    assert selectors.wall(teacher, thread.space_id).rows[0].thread.pk == thread.pk
    services.thread_moderate(actor=teacher, thread=thread, action="lock")
    with pytest.raises(ValidationError):
        services.post_create(actor=world.actor("a1.learnerA2"), thread=thread, body="Too late")
    assert not selectors.thread_detail(world.actor("a1.learnerA2"), thread.pk).can_answer
    answer = _post(world, "a1.learnerA2")
    services.post_moderate(actor=teacher, post=answer, action="endorse")
    view = selectors.thread_detail(world.actor("a1.learnerB2"), thread.pk)
    assert view.answers[0].post.pk == answer.pk and view.answers[0].post.endorsed
    with pytest.raises(ValidationError):
        services.post_moderate(actor=teacher, post=_post(world, "a1.learnerA1"), action="endorse")  # the question
    for learner in ("a1.learnerA1", "a1.learnerA2"):
        with pytest.raises(NotFound):
            services.thread_moderate(actor=world.actor(learner), thread=thread, action="unlock")
        with pytest.raises(NotFound):
            services.post_moderate(actor=world.actor(learner), post=answer, action="hide", reason="x")


def test_unanswered_first_and_topics_narrow_the_wall(world):
    teacher, space = world.actor("a1.teacher"), _space(world)
    section = Section.objects.get(space=space)
    topical = services.thread_create(actor=world.actor("a1.learnerB1"), space=space, title="Chapter 1?", body="Which page?",
                                     section=section.pk)
    Thread.objects.filter(pk=topical.pk).update(last_post_at=timezone.now() - datetime.timedelta(days=3))
    services.post_create(actor=world.actor("a1.learnerA2"), thread=_thread(world), body="Bump")
    view = selectors.wall(teacher, space.pk, order="unanswered")
    assert [r.thread.pk for r in view.rows] == [topical.pk, _thread(world).pk]
    assert [r.answers for r in view.rows] == [0, 3]  # the hidden answer is not counted
    assert [r.thread.pk for r in selectors.wall(teacher, space.pk, topic=section.pk).rows] == [topical.pk]
    with pytest.raises(ValidationError) as error:
        services.thread_create(actor=world.actor("a1.learnerB1"), space=space, title="x", body="y",
                               section=Section.objects.get(space=_space(world, "a1.art")).pk)
    assert "section" in error.value.message_dict


# Reports ------------------------------------------------------------------------------------------


def test_a_member_reports_once_and_the_teacher_resolves_by_hiding(world):
    answer = _post(world, "a1.learnerA2")
    report = services.report_create(actor=world.actor("a1.learnerA1"), post=answer, reason="Mean")
    with pytest.raises(ValidationError) as error:
        services.report_create(actor=world.actor("a1.learnerA1"), post=answer, reason="Again")
    assert "already reported" in str(error.value)
    with pytest.raises(NotFound):  # nobody reports their own post
        services.report_create(actor=world.actor("a1.learnerA2"), post=answer, reason="Oops")
    with pytest.raises(NotFound):
        services.report_create(actor=world.actor("a1.leader"), post=answer, reason="Read only")
    rows = selectors.reports(world.actor("a1.teacher"), space_id=answer.thread.space_id)[1]
    assert sorted(r.report.reason for r in rows) == ["Mean", "Rude"]
    assert selectors.reports(world.actor("a1.tutor"))[1] == []  # not a teacher of maths
    assert selectors.reports(world.actor("b1.teacher"))[1][0].report.institution_id == world.institutions["b1"].pk
    services.report_resolve(actor=world.actor("a1.teacher"), report=report, outcome="hidden")
    assert Post.objects.get(pk=answer.pk).hidden and Post.objects.get(pk=answer.pk).hidden_reason == "Mean"
    assert set(Report.objects.filter(post=answer).values_list("outcome", flat=True)) == {"hidden"}
    with pytest.raises(ValidationError):
        services.report_resolve(actor=world.actor("a1.teacher"), report=Report.objects.get(pk=report.pk), outcome="kept")


def test_reports_pages_across_groups(world):
    html = _client(world, "a1.teacher").get("/wall/reports/").content.decode()
    assert "Rude" in html and MATHS_TITLE in html and "<caption" in html
    assert "Rude" not in _client(world, "a1.teacher2").get("/wall/reports/").content.decode()
    report = Report.objects.get(post=_post(world, "a1.learnerA2"))
    response = _client(world, "a1.teacher").post(f"/wall/reports/{report.pk}/resolve/", {"outcome": "kept", "back": "all"})
    assert response.status_code == 302 and Report.objects.get(pk=report.pk).outcome == "kept"
    assert not Post.objects.get(pk=report.post_id).hidden


# Editing and deleting -----------------------------------------------------------------------------


def test_own_post_can_be_changed_only_in_the_first_minutes(world):
    thread = _ask(world, "a1.learnerA2")
    post = thread.posts.get()
    services.post_edit(actor=world.actor("a1.learnerA2"), post=post, body="Changed", title="New title")
    assert Thread.objects.get(pk=thread.pk).title == "New title" and Post.objects.get(pk=post.pk).edited_at
    with pytest.raises(NotFound):
        services.post_edit(actor=world.actor("a1.learnerA1"), post=post, body="Not mine")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - services.EDIT_WINDOW - datetime.timedelta(seconds=5))
    with pytest.raises(ValidationError) as error:
        services.post_edit(actor=world.actor("a1.learnerA2"), post=Post.objects.get(pk=post.pk), body="Later")
    assert "15 minutes" in str(error.value)
    with pytest.raises(ValidationError):
        services.post_delete(actor=world.actor("a1.learnerA2"), post=Post.objects.get(pk=post.pk))


def test_deleting_a_question_takes_its_thread_only_while_unanswered(world):
    thread = _ask(world, "a1.learnerA2")
    reply = services.post_create(actor=world.actor("a1.learnerB1"), thread=thread, body="An answer")
    with pytest.raises(ValidationError):
        services.post_delete(actor=world.actor("a1.learnerA2"), post=thread.posts.get(is_question=True))
    assert services.post_delete(actor=world.actor("a1.learnerB1"), post=reply) is False
    assert services.post_delete(actor=world.actor("a1.learnerA2"), post=thread.posts.get(is_question=True)) is True
    assert not Thread.objects.filter(pk=thread.pk).exists()


# Input --------------------------------------------------------------------------------------------


def test_text_is_cleaned_and_capped_and_never_a_server_error(world):
    thread = _ask(world, title="  Tabs\tand\x00 nulls ", body="Line one\r\nLine\x1b two\u202e")
    assert thread.title == "Tabs and nulls" and thread.posts.get().body == "Line one\nLine two"
    with pytest.raises(ValidationError) as error:
        _ask(world, title="", body="x" * (BODY_MAX + 1))
    assert set(error.value.message_dict) == {"title", "body"}
    client = _client(world, "a1.learnerA2")
    response = client.post(f"/courses/{_space(world).pk}/wall/", {"title": "", "body": "ok"})
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    assert b'<a href="#id_title">Give your question a short title.' in response.content
    response = client.post(f"/courses/{_space(world).pk}/wall/", {"title": "Hi", "body": "\x01\x02 \u202e"})
    assert response.status_code == 200 and b'<a href="#id_body">Write something.' in response.content
    response = client.post(f"/api/v1/courses/{_space(world).pk}/wall/threads", {"title": "<b>x</b>", "body": "y" * (BODY_MAX + 5)},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "body"


def test_hostile_post_is_escaped_on_the_page(world):
    thread = _ask(world, body='<script>alert(1)</script> https://bbc.co.uk.evil.com http://bbc.co.uk@evil.com '
                               "https://www.bbc.co.uk/bitesize")
    html = _client(world, "a1.learnerA1").get(f"/wall/threads/{thread.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://bbc.co.uk.evil.com' not in html and 'href="http://bbc.co.uk@evil.com' not in html
    assert 'href="https://www.bbc.co.uk/bitesize"' in html


def test_leaders_manage_the_allowed_sites(world):
    inst = world.institutions["a1"]
    assert "bbc.co.uk" in services.allowed_sites(inst.pk)
    with pytest.raises(NotFound):
        services.wall_settings_save(actor=world.actor("a1.teacher"), institution=inst, sites="example.org")
    response = _client(world, "a1.head").post(f"/institutions/{inst.pk}/wall/settings/", {"sites": "example.org\nnot a site"})
    assert response.status_code == 200 and "Line 2" in response.content.decode()
    response = _client(world, "a1.head").post(f"/institutions/{inst.pk}/wall/settings/", {"sites": "www.Example.org\n"})
    assert response.status_code == 302
    assert WallSettings.objects.get(institution=inst).allowed_sites == ["example.org"]
    thread = _ask(world, body="https://www.bbc.co.uk/a https://docs.example.org/b")
    html = _client(world, "a1.learnerA1").get(f"/wall/threads/{thread.pk}/").content.decode()
    assert 'href="https://docs.example.org/b"' in html and 'href="https://www.bbc.co.uk/a"' not in html
    assert services.allowed_sites(world.institutions["b1"].pk) != ["example.org"]  # another school's own list


# Pages and query counts ---------------------------------------------------------------------------


def test_ask_answer_flow_through_the_pages(world):
    space = _space(world)
    client = _client(world, "a1.learnerB2")
    response = client.post(f"/courses/{space.pk}/wall/", {"title": "What is a ratio?", "body": "Help", "anonymous": "on"})
    thread = Thread.objects.get(title="What is a ratio?")
    assert response.status_code == 302 and response["Location"] == f"/wall/threads/{thread.pk}/"
    assert thread.posts.get().anonymous
    response = _client(world, "a1.learnerA2").post(f"/wall/threads/{thread.pk}/", {"body": "A comparison of two amounts"})
    assert response.status_code == 302 and thread.posts.count() == 2
    course = _client(world, "a1.learnerA2").get(f"/courses/{space.pk}/").content.decode()
    assert f'href="/courses/{space.pk}/wall/"' in course


def _many_threads(world, n: int) -> None:
    space = _space(world)
    inst = world.institutions["a1"]
    authors = [world.people[p] for p in ("a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "a1.teacher")]
    now = timezone.now()
    for i in range(n):
        t = Thread.objects.create(institution=inst, space=space, title=f"Q{i}", author=authors[i % 4], last_post_at=now)
        Post.objects.create(institution=inst, thread=t, author=authors[i % 4], is_question=True, body=f"Body {i}",
                            anonymous=i % 2 == 0)
        Post.objects.create(institution=inst, thread=t, author=authors[(i + 1) % 4], body="An answer", endorsed=i % 3 == 0)


@pytest.mark.parametrize("persona", ["a1.learnerA2", "a1.teacher"])
def test_query_counts_do_not_grow_with_the_wall(world, django_assert_max_num_queries, persona):
    space = _space(world)
    client = _client(world, persona)
    client.get(f"/courses/{space.pk}/wall/")  # warm the session
    counts = []
    for n in (25, 40):
        _many_threads(world, n)
        with django_assert_max_num_queries(16) as ctx:
            assert client.get(f"/courses/{space.pk}/wall/?page=2").status_code == 200
        counts.append(len(ctx.captured_queries))
        with django_assert_max_num_queries(15):
            data = client.get(f"/api/v1/courses/{space.pk}/wall/threads").json()
        assert len(data["items"]) == 20
    assert counts[0] == counts[1]
    thread = _thread(world)
    for i in range(25):
        services.post_create(actor=world.actor("a1.learnerB1"), thread=thread, body=f"Answer {i}")
    with django_assert_max_num_queries(16):
        assert client.get(f"/wall/threads/{thread.pk}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert len(client.get(f"/api/v1/wall/threads/{thread.pk}").json()["posts"]) >= 27


def test_reports_queue_query_count(world, django_assert_max_num_queries):
    for i, post in enumerate(Post.objects.filter(institution=world.institutions["a1"], hidden=False)):
        for who in ("a1.learnerB2", "a1.tutor"):
            if post.author_id != world.people[who].pk and can(world.actor(who), "report", post):
                services.report_create(actor=world.actor(who), post=post, reason=f"r{i}")
    client = _client(world, "a1.teacher")
    client.get("/wall/reports/")
    with django_assert_max_num_queries(12):
        assert client.get("/wall/reports/").status_code == 200
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/wall/reports").json()) >= 3
