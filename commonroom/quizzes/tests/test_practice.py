"""Adaptive practice through the services, the pages and the API (the world: practice_testing_world.py)."""

from __future__ import annotations

import math

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commonroom.authz.api import NotFound
from commonroom.authz.models import AuditEvent
from commonroom.quizzes import adaptive
from commonroom.quizzes.models import Question, Quiz, QuizQuestion
from commonroom.quizzes.practice_models import PracticeTurn, QuestionRating, SkillRating
from commonroom.quizzes.practice_services import practice_answer, practice_next
from commonroom.quizzes.practice_testing_world import practice_quiz, turn_of

pytestmark = pytest.mark.django_db


def logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def client_for(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def rating(world, learner: str, skill: str) -> SkillRating:
    inst = learner.split(".")[0]
    return SkillRating.objects.get(institution=world.institutions[inst], learner=world.learners[learner], skill=skill)


# The practice page, one question at a time


def test_the_page_shows_the_open_question_and_a_reload_shows_the_same_one(world):
    client = client_for(world, "a1.learnerA1")
    quiz = practice_quiz(world, "a1")
    open_turn = turn_of(world, "a1.learnerA1", answered=False)
    first = client.get(f"/practice/{quiz.pk}/")
    assert first.status_code == 200
    assert "Ratio question 1" in first.content.decode()
    assert f'name="turn" value="{open_turn.pk}"' in first.content.decode()
    client.get(f"/practice/{quiz.pk}/")
    assert PracticeTurn.objects.filter(quiz=quiz, learner=world.learners["a1.learnerA1"]).count() == 2


def test_a_right_answer_gives_feedback_and_moves_the_ratings_by_the_elo_rule(world):
    client = client_for(world, "a1.learnerA1")
    quiz = practice_quiz(world, "a1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    # World: ratio rating -0.5 after 3 answers; the question has no rating yet (difficulty 0, 0 answers).
    response = client.post(f"/practice/{quiz.pk}/", {"turn": turn.pk, "response": "A"})
    assert response.status_code == 302
    assert response["Location"] == f"/practice/turns/{turn.pk}/"
    expected = logistic(-0.5 - 0.0)
    ratio = rating(world, "a1.learnerA1", "ratio")
    assert ratio.rating == pytest.approx(-0.5 + (1 / (1 + 0.1 * 3)) * (1 - expected))
    assert (ratio.answers, ratio.correct) == (4, 2)
    question_rating = QuestionRating.objects.get(question_id=turn.question_id)
    assert question_rating.difficulty == pytest.approx(0.0 - 1.0 * (1 - expected))
    assert question_rating.answers == 1
    turn.refresh_from_db()
    assert turn.correct is True and turn.score == 1.0 and turn.expected == pytest.approx(expected)
    assert rating(world, "a1.learnerA1", "percentages").answers == 8  # other skills untouched
    page = client.get(response["Location"]).content.decode()
    assert "Right" in page and "Well done." in page and "Next question" in page


def test_a_wrong_answer_shows_why_and_the_right_answer(world):
    client = client_for(world, "a1.learnerA1")
    quiz = practice_quiz(world, "a1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    client.post(f"/practice/{quiz.pk}/", {"turn": turn.pk, "response": "B"})
    page = client.get(f"/practice/turns/{turn.pk}/").content.decode()
    assert "Not right this time" in page
    assert "The right answer: Right" in page
    assert "Look again at the method." in page
    ratio = rating(world, "a1.learnerA1", "ratio")
    assert ratio.rating < -0.5 and ratio.correct == 1


def test_after_an_answer_the_next_question_is_new_and_not_a_recent_one(world):
    client = client_for(world, "a1.learnerA1")
    quiz = practice_quiz(world, "a1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    earlier = turn_of(world, "a1.learnerA1", answered=True)
    client.post(f"/practice/{quiz.pk}/", {"turn": turn.pk, "response": "A"})
    client.get(f"/practice/{quiz.pk}/")
    new = turn_of(world, "a1.learnerA1", answered=False)
    assert new.number == 3
    assert new.question_id not in {turn.question_id, earlier.question_id}
    # percentages is mastered, ratio is not: the only question left that is neither recent nor mastered is ratio 2
    assert new.spec["prompt"] == "Ratio question 2"


def test_an_empty_answer_is_refused_at_the_field_and_counts_nothing(world):
    client = client_for(world, "a1.learnerA1")
    quiz = practice_quiz(world, "a1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    response = client.post(f"/practice/{quiz.pk}/", {"turn": turn.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Choose an answer." in page
    turn.refresh_from_db()
    assert not turn.answered
    assert rating(world, "a1.learnerA1", "ratio").answers == 3


@pytest.mark.parametrize("bad", ["", "abc", "999999999999999999999", "-1"])
def test_junk_turn_ids_are_not_found(world, bad):
    client = client_for(world, "a1.learnerA1")
    quiz = practice_quiz(world, "a1")
    assert client.post(f"/practice/{quiz.pk}/", {"turn": bad, "response": "A"}).status_code == 404


def test_another_learners_turn_cannot_be_answered(world):
    client = client_for(world, "a1.learnerA2")
    quiz = practice_quiz(world, "a1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    assert client.post(f"/practice/{quiz.pk}/", {"turn": turn.pk, "response": "A"}).status_code == 404
    turn.refresh_from_db()
    assert not turn.answered
    assert rating(world, "a1.learnerA1", "ratio").answers == 3


# Answered once, whatever happens


def test_a_double_submit_counts_once_and_shows_the_first_answer(world):
    client = client_for(world, "a1.learnerA1")
    quiz = practice_quiz(world, "a1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    first = client.post(f"/practice/{quiz.pk}/", {"turn": turn.pk, "response": "A"})
    after_first = rating(world, "a1.learnerA1", "ratio")
    events = AuditEvent.objects.filter(action="practice.answer").count()
    second = client.post(f"/practice/{quiz.pk}/", {"turn": turn.pk, "response": "B"})
    assert first["Location"] == second["Location"] == f"/practice/turns/{turn.pk}/"
    again = rating(world, "a1.learnerA1", "ratio")
    assert (again.rating, again.answers, again.correct) == (after_first.rating, after_first.answers, after_first.correct)
    assert QuestionRating.objects.get(question_id=turn.question_id).answers == 1
    assert AuditEvent.objects.filter(action="practice.answer").count() == events
    turn.refresh_from_db()
    assert turn.response == "A" and turn.correct is True


def test_two_requests_that_both_saw_the_turn_open_count_it_once(world):
    """The race behind a double submit: both requests loaded the turn before either answered. The service reads
    the turn again under a lock, so the second finds it answered and changes nothing."""
    actor = world.actor("a1.learnerA1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    stale_copy = PracticeTurn.objects.select_related("quiz").get(pk=turn.pk)
    practice_answer(actor=actor, turn=turn, response="A")
    result = practice_answer(actor=actor, turn=stale_copy, response="B")
    assert result.response == "A"
    assert rating(world, "a1.learnerA1", "ratio").answers == 4


def test_two_answers_on_one_skill_both_count_each_from_the_other(world):
    """Two quizzes practising the same skill, both turns loaded before either is answered: each update reads the
    rating under the lock, so the second starts from the first's result (nothing is lost)."""
    actor = world.actor("a1.learnerA1")
    first_quiz = practice_quiz(world, "a1")
    second_quiz = Quiz.objects.create(institution=first_quiz.institution, group=first_quiz.group, title="Second",
                                      mode=Quiz.Mode.PRACTICE, state=Quiz.State.SET, created_by=first_quiz.created_by)
    ratio_2 = Question.objects.get(institution=first_quiz.institution, prompt="Ratio question 2")
    QuizQuestion.objects.create(institution=first_quiz.institution, quiz=second_quiz, question=ratio_2)
    turn_a = turn_of(world, "a1.learnerA1", answered=False)
    turn_b = practice_next(actor=actor, quiz=second_quiz)
    assert turn_b is not None and turn_b.skills == ["ratio"]
    practice_answer(actor=actor, turn=turn_a, response="A")
    practice_answer(actor=actor, turn=turn_b, response="A")
    # Independently: ratio -0.5 (3 answers); first answer against difficulty 0, second against difficulty 0 too
    # (another question), each from the rating the one before left.
    r1 = -0.5 + (1 / 1.3) * (1 - logistic(-0.5))
    r2 = r1 + (1 / 1.4) * (1 - logistic(r1))
    ratio = rating(world, "a1.learnerA1", "ratio")
    assert ratio.answers == 5 and ratio.correct == 3
    assert ratio.rating == pytest.approx(r2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks (it locks the whole database)")
def test_answering_locks_the_turn_the_skills_and_the_question(world):
    actor = world.actor("a1.learnerA1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    with CaptureQueriesContext(connection) as queries:
        practice_answer(actor=actor, turn=turn, response="A")
    locked = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert any('"quizzes_practiceturn"' in sql for sql in locked)
    assert any('"quizzes_skillrating"' in sql for sql in locked)
    assert any('"quizzes_questionrating"' in sql for sql in locked)


def test_only_one_turn_is_open_at_a_time(world):
    from django.db import IntegrityError, transaction

    turn = turn_of(world, "a1.learnerA1", answered=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeTurn.objects.create(institution=turn.institution, quiz=turn.quiz, learner=turn.learner, number=99,
                                    spec=turn.spec, skills=turn.skills)


# Who may practise


@pytest.mark.parametrize("persona", ["a1.teacher", "a1.head", "parent.a1", "b1.learnerA1", "a1.leaver"])
def test_only_the_groups_learners_practise(world, persona):
    quiz = practice_quiz(world, "a1")
    with pytest.raises(NotFound):
        practice_next(actor=world.actor(persona), quiz=quiz)


def test_a_draft_or_test_mode_quiz_is_not_practised(world):
    quiz = practice_quiz(world, "a1")
    client = client_for(world, "a1.learnerA2")
    assert client.get(f"/practice/{quiz.pk}/").status_code == 200
    Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.TEST)
    assert client.get(f"/practice/{quiz.pk}/").status_code == 404
    Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.PRACTICE, state=Quiz.State.DRAFT)
    assert client.get(f"/practice/{quiz.pk}/").status_code == 404


def test_a_quiz_without_questions_says_so(world):
    quiz = practice_quiz(world, "a1")
    empty = Quiz.objects.create(institution=quiz.institution, group=quiz.group, title="Empty", mode=Quiz.Mode.PRACTICE,
                                state=Quiz.State.SET)
    response = client_for(world, "a1.learnerA2").get(f"/practice/{empty.pk}/")
    assert "no questions to practise yet" in response.content.decode()


# Mastery pages


def test_my_skills_shows_each_skill_with_its_mastery(world):
    page = client_for(world, "a1.learnerA1").get("/practice/skills/").content.decode()
    assert "My skills" in page
    # percentages: rating 2.0 over 8 answers -> 88% on an average question, mastered; ratio: -0.5 -> 38%, practising
    assert round(100 * logistic(2.0)) == 88 and round(100 * logistic(-0.5)) == 38
    assert "percentages" in page and "88%" in page and "Mastered" in page
    assert "ratio" in page and "38%" in page and "Practising" in page


def test_a_teacher_reads_a_learners_skills_and_the_read_is_audited(world):
    learner = world.learners["a1.learnerA1"]
    before = AuditEvent.objects.filter(action="read.skills", learner_id=learner.pk).count()
    page = client_for(world, "a1.teacher").get(f"/learners/{learner.pk}/skills/").content.decode()
    assert "percentages" in page and "Mastered" in page
    assert AuditEvent.objects.filter(action="read.skills", learner_id=learner.pk).count() == before + 1


def test_the_group_table_counts_learners_at_each_level(world):
    response = client_for(world, "a1.teacher").get(f"/groups/{world.groups['a1.maths'].pk}/skills/")
    data = response.context["data"]
    # Skills practised in the group's quizzes: only percentages has an answered turn.
    assert data.skills == ["percentages"]
    counts = data.summary[0].counts
    # learnerA1 mastered, learnerA2 nearly there (0.6 -> 65%), learnerB1 and learnerB2 not started
    assert counts == {adaptive.MASTERED: 1, adaptive.NEARLY: 1, adaptive.NOT_STARTED: 2}
    assert data.summary[0].percent_mastered == 25


def test_the_group_table_leaves_out_a_learner_the_teacher_is_barred_from(world):
    # a1.teacher2 teaches art and is barred from learnerA1.
    response = client_for(world, "a1.teacher2").get(f"/groups/{world.groups['a1.art'].pk}/skills/")
    assert response.status_code == 200
    assert world.learners["a1.learnerA1"].pk not in [pk for pk, _name, _row in response.context["data"].learners]


# The API


def test_api_next_answer_and_skills(world):
    client = client_for(world, "a1.learnerA1")
    quiz = practice_quiz(world, "a1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    served = client.get(f"/api/v1/practice/{quiz.pk}/next").json()
    assert served["id"] == turn.pk and served["kind"] == "single" and served["skills"] == ["ratio"]
    assert [c["id"] for c in served["choices"]] == ["A", "B"]
    assert "correct" not in str(served)  # the answer is never sent with the question
    assert client.get(f"/api/v1/practice/{quiz.pk}/next").json()["id"] == turn.pk  # safe to repeat
    url = f"/api/v1/practice/turns/{turn.pk}/answer"
    answer = client.post(url, {"response": "A"}, content_type="application/json").json()
    assert answer["correct"] is True and answer["score"] == 1.0 and answer["feedback"] == "Well done."
    assert answer["skills"][0]["skill"] == "ratio" and answer["skills"][0]["answers"] == 4
    repeat = client.post(url, {"response": "B"}, content_type="application/json").json()
    assert repeat == answer
    skills = client.get("/api/v1/practice/skills").json()
    assert {s["skill"]: s["mastery"] for s in skills[0]["skills"]} == {"percentages": "mastered", "ratio": "practising"}


@pytest.mark.parametrize("body", [{"response": ""}, {"response": {"x": 1}}, {"response": None}, {"response": ["A"]},
                                  {"response": [[["A"]]]}, {"response": "A" * 5000}])
def test_api_refuses_an_answer_of_the_wrong_shape(world, body):
    client = client_for(world, "a1.learnerA1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    response = client.post(f"/api/v1/practice/turns/{turn.pk}/answer", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "response"
    turn.refresh_from_db()
    assert not turn.answered


def test_api_group_skills(world):
    data = client_for(world, "a1.head").get(f"/api/v1/groups/{world.groups['a1.maths'].pk}/skills").json()
    assert data["skills"] == ["percentages"]
    by_learner = {row["learner_id"]: row["skills"][0]["mastery"] for row in data["learners"]}
    assert by_learner[world.learners["a1.learnerA1"].pk] == "mastered"
    assert by_learner[world.learners["a1.learnerA2"].pk] == "nearly"


# Query counts (constant in the number of skills, learners and turns)


def test_query_counts(world, django_assert_max_num_queries):
    learner = client_for(world, "a1.learnerA1")
    teacher = client_for(world, "a1.teacher")
    quiz = practice_quiz(world, "a1")
    turn = turn_of(world, "a1.learnerA1", answered=False)
    with django_assert_max_num_queries(14):
        assert learner.get(f"/practice/{quiz.pk}/").status_code == 200
    with django_assert_max_num_queries(19):
        assert learner.post(f"/practice/{quiz.pk}/", {"turn": turn.pk, "response": "A"}).status_code == 302
    with django_assert_max_num_queries(18):
        assert learner.get(f"/practice/{quiz.pk}/").status_code == 200  # chooses and serves the next question
    with django_assert_max_num_queries(9):
        assert learner.get("/practice/skills/").status_code == 200
    with django_assert_max_num_queries(16):
        assert teacher.get(f"/groups/{world.groups['a1.maths'].pk}/skills/").status_code == 200
    with django_assert_max_num_queries(12):
        assert teacher.get(f"/api/v1/groups/{world.groups['a1.maths'].pk}/skills").status_code == 200
    for n in range(6):  # more skills: the same queries
        SkillRating.objects.create(institution=world.institutions["a1"], learner=world.learners["a1.learnerA1"],
                                   skill=f"extra-{n}", rating=0.1 * n, answers=n)
    with django_assert_max_num_queries(9):
        assert "extra-5" in learner.get("/practice/skills/").content.decode()
