"""The question bank, quizzes and attempts: the rules, the forms, taking a quiz (practice and test),
idempotent submits, draws stored per attempt, results and difficulty, the API, and pinned query counts."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from commonroom.authz.api import NotFound, visible
from commonroom.authz.models import AuditEvent
from commonroom.quizzes import selectors, services
from commonroom.quizzes.models import Attempt, AttemptAnswer, Question, Quiz, QuizQuestion
from commonroom.quizzes.spec import QuestionSpec
from commonroom.quizzes.testing_world import question_named


def _client(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


# The bank ------------------------------------------------------------------------------------------


def test_sharing_levels(world):
    def prompts(persona: str) -> set[str]:
        return {q.visibility for q in visible(world.actor(persona), Question).filter(institution=world.institutions["a1"])}

    assert prompts("a1.teacher") == {"private", "institution", "authority", "everyone"}
    assert prompts("a1.teacher2") == {"institution", "authority", "everyone"}
    assert prompts("a2.teacher") == {"authority", "everyone"}  # the same authority
    assert prompts("b1.teacher") == {"everyone"}
    assert prompts("solo.teacher") == {"everyone"}
    assert prompts("a1.learnerA1") == set()
    assert prompts("parent.a1") == set()
    assert prompts("a1.office") == set()  # not a teacher


def test_only_the_owner_changes_a_question_and_copying_makes_ones_own(world):
    shared = question_named(world, "a1.institution")
    spec = QuestionSpec("numeric", "Changed", {"answer": 1})
    with pytest.raises(NotFound):
        services.question_save(actor=world.actor("a1.teacher2"), spec=spec, question=shared)
    copy = services.question_copy(actor=world.actor("a1.teacher2"), question=shared)
    assert (copy.owner_id, copy.visibility, copy.copied_from_id) == (world.people["a1.teacher2"].pk, "private", shared.pk)
    assert copy.to_spec() == shared.to_spec()
    services.question_save(actor=world.actor("a1.teacher2"), spec=spec, question=copy)
    shared.refresh_from_db()
    assert shared.prompt == "What is 3/4 as a decimal?"
    with pytest.raises(NotFound):
        services.question_copy(actor=world.actor("b1.teacher"), question=shared)


def test_question_form_names_the_box_at_fault(world):
    client = _client(world, "a1.teacher")
    before = Question.objects.count()
    response = client.post("/questions/new/?kind=single", {"prompt": "Pick", "choices": "* one\n* two\nthree",
                                                            "points": "1", "visibility": "private"})
    assert response.status_code == 200
    assert response.context["form"].errors["choices"][0].startswith("A single-choice question has one right answer")
    response = client.post("/questions/new/?kind=numeric", {"prompt": "How many?", "answer": "3,5", "tolerance": "",
                                                             "points": "1", "visibility": "private"})
    assert "with a point for decimals" in response.context["form"].errors["answer"][0]
    response = client.post("/questions/new/?kind=matching", {"prompt": "Match", "pairs": "a = b\nc d",
                                                              "points": "1", "visibility": "private"})
    assert response.context["form"].errors["pairs"] == ["Line 2: write the item, = and its match, for example “France = Paris”."]
    response = client.post("/questions/new/?kind=ordering", {"prompt": "Order", "items": "only one",
                                                              "points": "1", "visibility": "private"})
    assert response.context["form"].errors["items"] == ["Item: at least 2 are needed."]
    response = client.post("/questions/new/?kind=text", {"prompt": "x", "accepted": "", "points": "1",
                                                          "visibility": "private", "skills": "Good Tag, b@d"})
    assert "b@d" in response.context["form"].errors["skills"][0]
    assert b"There is a problem" in response.content
    assert Question.objects.count() == before


@pytest.mark.parametrize(("kind", "fields", "data"), [
    ("single", {"choices": "2/6 | Denominators are not added\n* 3/4"},
     {"choices": [{"id": "A", "text": "2/6", "feedback": "Denominators are not added"},
                  {"id": "B", "text": "3/4", "feedback": ""}], "correct": ["B"]}),
    ("multiple", {"choices": "* 2\n3\n* 5"}, {"choices": [{"id": "A", "text": "2", "feedback": ""}, {"id": "B", "text": "3",
                                                          "feedback": ""}, {"id": "C", "text": "5", "feedback": ""}],
                                             "correct": ["A", "C"]}),
    ("true_false", {"correct_tf": "false"}, {"correct": False}),
    ("numeric", {"answer": "3.5", "tolerance": "0.05"}, {"answer": 3.5, "tolerance": 0.05}),
    ("text", {"accepted": "Paris\n  paris, france ", "case_sensitive": "on"},
     {"accepted": ["Paris", "paris, france"], "case_sensitive": True}),
    ("matching", {"pairs": "France = Paris\nSpain = Madrid", "extra_right": "Rome"},
     {"left": [{"id": "L1", "text": "France"}, {"id": "L2", "text": "Spain"}],
      "right": [{"id": "R1", "text": "Paris"}, {"id": "R2", "text": "Madrid"}, {"id": "R3", "text": "Rome"}],
      "pairs": [["L1", "R1"], ["L2", "R2"]]}),
    ("ordering", {"items": "one\ntwo\nthree"}, {"items": [{"id": "I1", "text": "one"}, {"id": "I2", "text": "two"},
                                                          {"id": "I3", "text": "three"}], "order": ["I1", "I2", "I3"]}),
])
def test_every_kind_can_be_written_through_the_form_and_changed(world, kind, fields, data):
    client = _client(world, "a1.teacher")
    response = client.post(f"/questions/new/?kind={kind}", {"prompt": f"A {kind} question", "points": "2",
                                                             "skills": "Fractions, long division",
                                                             "visibility": "institution", **fields})
    assert response.status_code == 302, response.context["form"].errors
    question = Question.objects.get(prompt=f"A {kind} question")
    assert (question.kind, question.data, question.skills, question.points) == (kind, data, ["fractions", "long-division"], 2)
    edit = client.get(f"/questions/{question.pk}/edit/")
    assert edit.status_code == 200
    resent = {k: v for k, v in edit.context["form"].initial.items() if v not in (None, False)}
    response = client.post(f"/questions/{question.pk}/edit/", resent | {"prompt": "Changed"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.prompt, question.data) == ("Changed", data)


# Quizzes -------------------------------------------------------------------------------------------


def test_quiz_save_checks_questions_pool_and_times(world):
    teacher = world.actor("b1.teacher")
    maths = world.groups["b1.maths"]
    private_a1 = question_named(world, "a1.private")
    with pytest.raises(ValidationError) as error:
        services.quiz_save(actor=teacher, group=maths, title="X", question_ids=[private_a1.pk])
    assert "not in your bank" in error.value.message_dict["question_ids"][0]
    with pytest.raises(ValidationError) as error:
        services.quiz_save(actor=teacher, group=maths, title="X", pool_tags=["fractions"], pool_size=3)
    assert error.value.message_dict["pool_size"] == ["Only 2 other questions carry those tags: draw at most that many."]
    with pytest.raises(ValidationError) as error:
        services.quiz_save(actor=teacher, group=maths, title="X", mode="test", question_ids=[question_named(world, "b1.private").pk])
    assert "closes_at" in error.value.message_dict
    with pytest.raises(NotFound):  # a leader reads, never sets
        services.quiz_save(actor=world.actor("b1.head"), group=maths, title="X", pool_tags=["fractions"], pool_size=1)
    with pytest.raises(NotFound):
        services.quiz_save(actor=world.actor("b1.teacher"), group=world.groups["a1.maths"], title="X")


def test_quiz_form_sets_an_ordered_quiz(world):
    client = _client(world, "a1.teacher")
    q1, q2 = question_named(world, "a1.everyone"), question_named(world, "a1.authority")
    response = client.post(f"/groups/{world.groups['a1.maths'].pk}/quizzes/new/", {
        "title": "Ordered", "mode": "practice", "questions": [str(q1.pk), str(q2.pk)], f"order_{q1.pk}": "2",
        f"order_{q2.pk}": "1", "pool_size": "0", "set": "1"})
    assert response.status_code == 302
    quiz = Quiz.objects.get(title="Ordered")
    assert quiz.state == "set"
    assert list(QuizQuestion.objects.filter(quiz=quiz).order_by("position").values_list("question_id", flat=True)) == [q2.pk, q1.pk]
    bad = client.post(f"/groups/{world.groups['a1.maths'].pk}/quizzes/new/", {
        "title": "Bad", "mode": "test", "pool_size": "0", "set": "1"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["closes_date"] == ["A test needs a closing time: its results are shown after it closes."]


# Taking --------------------------------------------------------------------------------------------


def _practice(world, inst: str = "a1") -> Quiz:
    return Quiz.objects.get(institution=world.institutions[inst], title="Fractions practice")


def test_practice_attempt_through_the_page_gives_feedback_straight_away(world):
    quiz = _practice(world)
    client = _client(world, "a1.learnerA2")
    response = client.post(f"/quizzes/{quiz.pk}/take/")
    attempt = Attempt.objects.get(quiz=quiz, learner=world.learners["a1.learnerA2"])
    assert response["Location"] == f"/quiz-attempts/{attempt.pk}/"
    page = client.get(f"/quiz-attempts/{attempt.pk}/")
    assert page.status_code == 200 and b"Hand in my answers" in page.content
    assert client.post(f"/quizzes/{quiz.pk}/take/")["Location"] == f"/quiz-attempts/{attempt.pk}/"  # no second attempt
    response = client.post(f"/quiz-attempts/{attempt.pk}/", {"token": str(attempt.token), "q1": "A", "q2": "0.75"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.max_score) == ("submitted", 1.0, 2)
    result = client.get(f"/quiz-attempts/{attempt.pk}/").content.decode()
    assert "1 out of 2" in result
    assert "Denominators are not added." in result  # the chosen wrong choice's feedback
    assert "Write both as quarters first." in result  # why it is wrong
    assert "The right answer:" in result and "3/4" in result
    # A double submit of the same attempt changes nothing.
    again = client.post(f"/quiz-attempts/{attempt.pk}/", {"token": str(attempt.token), "q1": "B", "q2": "0.75"})
    assert again.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 1.0
    assert Attempt.objects.filter(quiz=quiz, learner=world.learners["a1.learnerA2"]).count() == 1
    assert AuditEvent.objects.filter(action="quizzes.attempt_submitted", object_id=str(attempt.pk)).count() == 1


def test_wrong_token_is_refused_and_keeps_the_answers(world):
    quiz = _practice(world)
    client = _client(world, "a1.learnerA2")
    client.post(f"/quizzes/{quiz.pk}/take/")
    attempt = Attempt.objects.get(quiz=quiz, learner=world.learners["a1.learnerA2"])
    page = client.post(f"/quiz-attempts/{attempt.pk}/", {"token": "stale", "q2": "0.7"})
    assert page.status_code == 200 and b"out of date" in page.content and b'value="0.7"' in page.content
    attempt.refresh_from_db()
    assert attempt.state == "started"


def test_test_mode_hides_score_until_close(world):
    quiz = Quiz.objects.get(institution=world.institutions["a1"], title="Maths test")
    actor = world.actor("a1.learnerA1")
    attempt = services.attempt_start(actor=actor, quiz=quiz)
    services.attempt_submit(actor=actor, attempt=attempt, token=str(attempt.token), responses={1: "0.75"})
    view = selectors.attempt_view(actor, attempt.pk)
    assert not view.released and view.items[0].result is None
    client = _client(world, "a1.learnerA1")
    assert b"once the quiz has closed and no one can hand in any more" in client.get(f"/quiz-attempts/{attempt.pk}/").content
    api = client.get(f"/api/v1/attempts/{attempt.pk}").json()
    assert api["score"] is None and api["questions"][0]["correct"] is None
    # The teacher sees it at once.
    assert selectors.attempt_view(world.actor("a1.teacher"), attempt.pk).released
    # Closed a minute ago: still hidden while others may hand in within the grace.
    Quiz.objects.filter(pk=quiz.pk).update(opens_at=timezone.now() - datetime.timedelta(days=2),
                                           closes_at=timezone.now() - datetime.timedelta(minutes=1))
    assert not selectors.attempt_view(actor, attempt.pk).released
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - services.HAND_IN_GRACE
                                           - datetime.timedelta(minutes=1))
    view = selectors.attempt_view(actor, attempt.pk)
    assert view.released and view.items[0].result is not None and view.items[0].result.correct
    assert [a.released for a in selectors.my_results(actor) if a.pk == attempt.pk] == [True]
    # Closed: no new attempt.
    quiz.refresh_from_db()
    with pytest.raises(ValidationError):
        services.attempt_start(actor=world.actor("a1.learnerA2"), quiz=quiz)


def test_an_attempt_begun_before_the_close_may_be_handed_in_within_the_grace(world):
    """Pressing "Hand in" as the clock passes the close keeps the answers; after the grace nothing is stored."""
    quiz = Quiz.objects.get(institution=world.institutions["a1"], title="Maths test")
    first, second = world.actor("a1.learnerA1"), world.actor("a1.learnerA2")
    late = services.attempt_start(actor=first, quiz=quiz)
    too_late = services.attempt_start(actor=second, quiz=quiz)
    Quiz.objects.filter(pk=quiz.pk).update(opens_at=timezone.now() - datetime.timedelta(days=2),
                                           closes_at=timezone.now() - datetime.timedelta(minutes=2))
    handed = services.attempt_submit(actor=first, attempt=late, token=str(late.token), responses={1: "0.75"})
    assert handed.state == "submitted" and handed.score == 1
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - services.HAND_IN_GRACE
                                           - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="can no longer be handed in"):
        services.attempt_submit(actor=second, attempt=too_late, token=str(too_late.token), responses={1: "0.75"})
    too_late.refresh_from_db()
    assert too_late.state == "started" and not too_late.answers.filter(response__isnull=False).exists()


def test_random_draw_is_stored_per_attempt(world):
    teacher = world.actor("a1.teacher")
    for n in range(6):
        services.question_save(actor=teacher, spec=QuestionSpec("true_false", f"Pool {n}", {"correct": True},
                                                                tags=("pool",)))
    quiz = services.quiz_save(actor=teacher, group=world.groups["a1.maths"], title="Random", state="set",
                              question_ids=[question_named(world, "a1.private").pk], pool_tags=["pool"], pool_size=3)
    learner = world.actor("a1.learnerB2")
    attempt = services.attempt_start(actor=learner, quiz=quiz)
    drawn = list(attempt.answers.order_by("position").values_list("question_id", flat=True))
    assert len(drawn) == 4 and drawn[0] == question_named(world, "a1.private").pk
    assert len(set(drawn)) == 4
    assert attempt.max_score == 4
    for _ in range(3):  # reloads and restarts never redraw
        again = services.attempt_start(actor=learner, quiz=quiz)
        assert again.pk == attempt.pk
        assert list(again.answers.order_by("position").values_list("question_id", flat=True)) == drawn
    # A later edit of a drawn question does not change the attempt.
    q = Question.objects.get(pk=drawn[1])
    services.question_save(actor=teacher, spec=QuestionSpec("true_false", "Edited", {"correct": False}), question=q)
    answer = AttemptAnswer.objects.get(attempt=attempt, position=2)
    assert answer.spec["prompt"].startswith("Pool") and answer.spec["data"] == {"correct": True}


def test_attempts_allowed(world):
    teacher = world.actor("a1.teacher")
    quiz = services.quiz_save(actor=teacher, group=world.groups["a1.maths"], title="Once", state="set",
                              question_ids=[question_named(world, "a1.authority").pk], attempts_allowed=1)
    learner = world.actor("a1.learnerB2")
    attempt = services.attempt_start(actor=learner, quiz=quiz)
    services.attempt_submit(actor=learner, attempt=attempt, token=str(attempt.token), responses={1: True})
    with pytest.raises(ValidationError) as error:
        services.attempt_start(actor=learner, quiz=quiz)
    assert error.value.messages == ["You have used all your attempts at this quiz."]


def test_learners_see_only_their_own_attempts_and_parents_none(world):
    a1 = Attempt.objects.get(learner=world.learners["a1.learnerA1"], quiz__title="Fractions practice")
    with pytest.raises(NotFound):
        selectors.attempt_view(world.actor("a1.learnerA2"), a1.pk)
    with pytest.raises(NotFound):
        selectors.attempt_view(world.actor("parent.a1"), a1.pk)
    with pytest.raises(NotFound):  # barred from the learner
        selectors.attempt_view(world.actor("a1.teacher2"), a1.pk)
    assert not visible(world.actor("parent.a1"), Attempt).exists()
    assert set(visible(world.actor("a1.learnerA1"), Attempt).values_list("learner_id", flat=True)) == {
        world.learners["a1.learnerA1"].pk}
    before = AuditEvent.objects.filter(action="read.quiz_attempt").count()
    selectors.attempt_view(world.actor("a1.head"), a1.pk)
    assert AuditEvent.objects.filter(action="read.quiz_attempt", learner_id=a1.learner_id).count() == before + 1
    with pytest.raises(NotFound):  # a learner cannot hand in someone else's attempt
        services.attempt_submit(actor=world.actor("a1.learnerA2"), attempt=a1, token=str(a1.token), responses={})


def test_drafts_are_hidden_from_learners(world):
    draft = Quiz.objects.get(institution=world.institutions["a1"], title="Art draft")
    assert draft not in visible(world.actor("a1.learnerA1"), Quiz)
    assert draft in visible(world.actor("a1.teacher2"), Quiz)
    with pytest.raises(NotFound):
        services.attempt_start(actor=world.actor("a1.learnerA1"), quiz=draft)


# Results -------------------------------------------------------------------------------------------


def test_results_and_facility(world):
    quiz = _practice(world)
    for who, responses in (("a1.learnerA2", {1: "B", 2: "0.75"}), ("a1.learnerB2", {1: "B", 2: "1"})):
        actor = world.actor(who)
        attempt = services.attempt_start(actor=actor, quiz=quiz)
        services.attempt_submit(actor=actor, attempt=attempt, token=str(attempt.token), responses=responses)
    # With learnerA1's attempt from the world (1: B right, 2: 0.5 wrong): q1 3 of 3, q2 1 of 3.
    stats = selectors.question_stats(world.actor("a1.teacher"), quiz.pk)[1]
    assert [(s.answered, s.correct, s.percent) for s in stats] == [(3, 3, 100), (3, 1, 33)]
    data = selectors.quiz_results(world.actor("a1.leader"), quiz.pk)
    assert len(data.rows) == 4  # the maths group today (the in-progress attempt counts as none)
    assert sorted((r.attempts, r.best) for r in data.rows) == [(0, None), (1, 1.0), (1, 1.0), (1, 2.0)]
    page = _client(world, "a1.teacher").get(f"/quizzes/{quiz.pk}/results/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"33%" in page.content and b"100%" in page.content
    with pytest.raises(NotFound):
        selectors.quiz_results(world.actor("a1.learnerA1"), quiz.pk)
    # a1.teacher2 does not teach maths; the barred learner is left out of results they may see elsewhere.
    with pytest.raises(NotFound):
        selectors.quiz_results(world.actor("a1.teacher2"), quiz.pk)


# API -----------------------------------------------------------------------------------------------


def test_api_take_a_quiz_idempotently(world):
    client = _client(world, "a1.learnerA2")
    quiz = _practice(world)
    started = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts", content_type="application/json")
    assert started.status_code == 201
    body = started.json()
    assert [q["kind"] for q in body["questions"]] == ["single", "numeric"]
    assert body["questions"][0]["choices"] == [{"id": "A", "text": "2/6"}, {"id": "B", "text": "3/4"}]
    assert client.post(f"/api/v1/quizzes/{quiz.pk}/attempts", content_type="application/json").json()["id"] == body["id"]
    answers = {"token": body["token"], "answers": {"1": "B", "2": 0.75}}
    done = client.post(f"/api/v1/attempts/{body['id']}/submit", answers, content_type="application/json").json()
    assert (done["state"], done["score"], done["released"]) == ("submitted", 2.0, True)
    assert [q["correct"] for q in done["questions"]] == [True, True]
    resent = client.post(f"/api/v1/attempts/{body['id']}/submit", answers | {"answers": {"1": "A"}},
                         content_type="application/json").json()
    assert resent["score"] == 2.0
    bad = client.post(f"/api/v1/attempts/{body['id']}/submit", {"token": body["token"], "answers": {"x": 1}},
                      content_type="application/json")
    assert bad.status_code in (200, 422)  # already handed in: returned as it is, or the key refused


def test_api_question_validation_names_the_part(world):
    client = _client(world, "a1.teacher")
    response = client.post("/api/v1/questions", {"kind": "single", "prompt": "x", "data": {
        "choices": [{"id": "A", "text": "a"}], "correct": ["Z"]}}, content_type="application/json")
    assert response.status_code == 422
    text = str(response.json())
    assert "Choice: at least 2 are needed." in text and "'Z' is not one of the choices" in text
    ok = client.post("/api/v1/questions", {"kind": "numeric", "prompt": "2+2", "data": {"answer": 4},
                                           "tags": ["sums"], "visibility": "institution"}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["tags"] == ["sums"]
    stats = client.get(f"/api/v1/quizzes/{_practice(world).pk}/stats").json()
    assert [(s["answered"], s["correct"]) for s in stats] == [(1, 1), (1, 0)]


def test_query_counts_are_pinned(world, django_assert_max_num_queries):
    quiz = _practice(world)
    teacher, learner = _client(world, "a1.teacher"), _client(world, "a1.learnerA1")
    attempt = Attempt.objects.get(learner=world.learners["a1.learnerA1"], quiz=quiz)
    with django_assert_max_num_queries(25):
        assert teacher.get("/questions/?scope=all").status_code == 200
    with django_assert_max_num_queries(25):
        assert teacher.get(f"/quizzes/{quiz.pk}/results/").status_code == 200
    with django_assert_max_num_queries(20):
        assert learner.get(f"/quiz-attempts/{attempt.pk}/").status_code == 200
    with django_assert_max_num_queries(20):
        assert learner.get("/quizzes/").status_code == 200
    with django_assert_max_num_queries(15):
        assert teacher.get("/api/v1/questions").status_code == 200


def test_editing_a_quiz_keeps_its_questions_beyond_the_forms_recent_list(world):
    teacher = world.actor("a1.teacher")
    maths = world.groups["a1.maths"]
    q1, q2 = question_named(world, "a1.everyone"), question_named(world, "a1.authority")
    quiz = services.quiz_save(actor=teacher, group=maths, title="Kept", question_ids=[q1.pk, q2.pk])
    # Even when none of the recent questions is offered, the quiz's own are (first, in their order).
    offered = selectors.questions_for_quiz_form(teacher, maths, quiz, limit=0)
    assert [q.pk for q in offered] == [q1.pk, q2.pk]
    client = _client(world, "a1.teacher")
    page = client.get(f"/quizzes/{quiz.pk}/edit/")
    assert page.status_code == 200 and f'value="{q1.pk}"' in page.content.decode()


def test_api_quiz_times_without_an_offset_are_local(world):
    client = _client(world, "a1.teacher")
    q1 = question_named(world, "a1.everyone")
    response = client.post(f"/api/v1/groups/{world.groups['a1.maths'].pk}/quizzes", {
        "title": "Mixed", "mode": "test", "question_ids": [q1.pk], "opens_at": "2030-12-01T10:00:00",
        "closes_at": "2030-12-02T10:00:00Z"}, content_type="application/json")
    assert response.status_code == 201, response.content
    quiz = Quiz.objects.get(title="Mixed")
    assert timezone.is_aware(quiz.opens_at) and quiz.opens_at < quiz.closes_at
