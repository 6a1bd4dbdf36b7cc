"""The calendar: what a learner and a teacher see in a week (homework, lessons, events, term dates and
holidays), the week page and the API, another app's source, and a query count that does not grow with
the number of classes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonroom.calendar import selectors
from commonroom.calendar.selectors import EVENT, HOLIDAY, HOMEWORK, LESSON, TERM, CalendarItem, upcoming_for
from commonroom.calendar.templatetags.calendar_words import clock
from commonroom.common.dates import today
from commonroom.family.models import Event
from commonroom.learning.models import Assignment, Submission
from commonroom.organisations.models import Term
from commonroom.people.models import Group, GroupMembership, GroupStaff
from commonroom.records.models import Period, TimetableSlot


def _fortnight(actor, kinds=None):  # type: ignore[no-untyped-def]
    start = today()
    return upcoming_for(actor, start, start + datetime.timedelta(days=13), kinds=kinds)


def _term_days(institution, days) -> list[datetime.date]:  # type: ignore[no-untyped-def]
    terms = list(Term.objects.filter(institution=institution).values_list("start_date", "end_date"))
    return [d for d in days if any(first <= d <= last for first, last in terms)]


def test_a_learner_sees_their_homework_lessons_and_events(world):
    items = _fortnight(world.actor("a1.learnerA1"))
    homework = {i.title: i for i in items if i.kind == HOMEWORK}
    assert set(homework) == {"Fractions", "Sketchbook"}  # Algebra is past, Portrait a draft
    assert homework["Sketchbook"].detail == "Handed in" and homework["Sketchbook"].where == world.groups["a1.art"].name
    assert homework["Fractions"].url == f"/homework/{Assignment.objects.get(title='Fractions', institution=world.institutions['a1']).pk}/"
    assert [i.title for i in items if i.kind == EVENT] == ["Form A trip"]  # not the unpublished INSET
    lessons = [i for i in items if i.kind == LESSON]
    slot = TimetableSlot.objects.get(group=world.groups["a1.maths"])
    window = [today() + datetime.timedelta(days=n) for n in range(14)]
    expected = _term_days(world.institutions["a1"], [d for d in window if d.weekday() == slot.weekday])
    assert [i.day for i in lessons] == expected
    for lesson in lessons:
        assert lesson.starts_at.time() == datetime.time(9, 0) and lesson.url == ""
        assert lesson.detail == f"with {world.people['a1.teacher'].full_name}"


def test_another_learner_and_a_parent_see_only_their_own(world):
    b1 = _fortnight(world.actor("a1.learnerB1"))
    assert "Form A trip" not in {i.title for i in b1} and "Sketchbook" not in {i.title for i in b1}
    assert {i.title for i in b1 if i.kind == HOMEWORK} == {"Fractions"}
    assert _fortnight(world.actor("parent.barred")) == []
    assert upcoming_for(world.actor("a1.learnerA1"), today(), today() - datetime.timedelta(days=1)) == []


def test_a_teacher_sees_their_classes_homework_with_hand_in_counts_and_their_lessons(world):
    items = _fortnight(world.actor("a1.teacher"))
    fractions = next(i for i in items if i.kind == HOMEWORK and i.title == "Fractions")
    size = GroupMembership.objects.filter(group=world.groups["a1.maths"], end_date__isnull=True).values("learner").distinct().count()
    handed = Submission.objects.filter(assignment__title="Fractions", assignment__institution=world.institutions["a1"],
                                       handed_in_at__isnull=False).count()
    assert fractions.detail == f"{handed} of {size} handed in" and handed == 1
    slot = TimetableSlot.objects.get(group=world.groups["a1.maths"])
    lessons = [i for i in items if i.kind == LESSON]
    assert lessons and all(i.url == f"/lessons/{slot.pk}/{i.day.isoformat()}/" for i in lessons)
    assert "Sketchbook" not in {i.title for i in items}  # art is teacher2's


def test_term_dates_holidays_and_closures(world):
    autumn, spring = Term.objects.filter(institution=world.institutions["a1"]).order_by("start_date")[:2]
    start, end = autumn.end_date - datetime.timedelta(days=2), spring.start_date + datetime.timedelta(days=1)
    items = upcoming_for(world.actor("a1.learnerA1"), start, end, kinds=[TERM, HOLIDAY])
    assert {(i.kind, i.title, i.day) for i in items if i.kind == TERM} == {
        (TERM, f"Last day of {autumn.name}", autumn.end_date), (TERM, f"First day of {spring.name}", spring.start_date)}
    holiday = next(i for i in items if i.kind == HOLIDAY)
    assert (holiday.day, holiday.last_day) == (autumn.end_date + datetime.timedelta(days=1), spring.start_date - datetime.timedelta(days=1))
    lessons = upcoming_for(world.actor("a1.learnerA1"), start, end, kinds=[LESSON])
    assert all(autumn.end_date >= i.day or i.day >= spring.start_date for i in lessons)


def test_a_closure_removes_the_lessons_and_is_shown(world):
    from commonroom.people.models import Enrolment
    from commonroom.records.models import AttendanceMark

    slot = TimetableSlot.objects.get(group=world.groups["a1.maths"])
    actor = world.actor("a1.learnerA1")
    days = [i.day for i in _fortnight(actor, [LESSON])]
    if not days:
        pytest.skip("no school day of the lesson in the next fortnight")
    learner = world.learners["a1.learnerA1"]
    enrolment = Enrolment.objects.filter(learner=learner, institution=slot.institution).first()
    AttendanceMark.objects.create(institution=slot.institution, learner=learner, enrolment=enrolment, date=days[0],
                                  session="AM", code="#")
    items = _fortnight(world.actor("a1.learnerA1"), [LESSON, HOLIDAY])
    assert days[0] not in [i.day for i in items if i.kind == LESSON]
    assert ("School closed", days[0]) in [(i.title, i.day) for i in items if i.kind == HOLIDAY]


def test_another_app_adds_a_source(world):
    def quizzes(context):  # type: ignore[no-untyped-def]
        return [CalendarItem("quiz", "Quiz closes", context.start)]

    selectors.register_source("test_quizzes", quizzes, ["quiz"])
    try:
        assert [i.title for i in _fortnight(world.actor("a1.learnerA1")) if i.kind == "quiz"] == ["Quiz closes"]
        assert not [i for i in _fortnight(world.actor("a1.learnerA1"), [HOMEWORK]) if i.kind == "quiz"]
    finally:
        selectors._SOURCES.pop("test_quizzes")


def _more_classes(world, n: int) -> None:  # type: ignore[no-untyped-def]
    """Give a1.learnerA1 and a1.teacher ``n`` more classes, each with a lesson, homework due and an event."""
    inst, maths = world.institutions["a1"], world.groups["a1.maths"]
    learner, teacher = world.learners["a1.learnerA1"], world.people["a1.teacher"]
    for k in range(n):
        group = Group.objects.create(institution=inst, academic_year=maths.academic_year, kind=Group.Kind.TEACHING,
                                     code=f"X{k}", name=f"Extra {k}", subject=f"Subject {k}")
        GroupMembership.objects.create(institution=inst, group=group, learner=learner, start_date=today() - datetime.timedelta(days=30))
        GroupStaff.objects.create(institution=inst, group=group, person=teacher, role="teacher",
                                  start_date=today() - datetime.timedelta(days=30))
        period = Period.objects.create(institution=inst, name=f"X{k}", kind="lesson", session="PM",
                                       starts=datetime.time(13, k), ends=datetime.time(14, k))
        TimetableSlot.objects.create(institution=inst, group=group, period=period, academic_year=maths.academic_year,
                                     weekday=k % 5, teacher=teacher)
        Assignment.objects.create(institution=inst, group=group, title=f"Extra homework {k}", state="set",
                                  due_at=timezone.now() + datetime.timedelta(days=1 + k % 5))
        event = Event.objects.create(institution=inst, title=f"Extra event {k}", start_date=today(), end_date=today(),
                                     whole_school=False, published=True)
        event.groups.set([group])


@pytest.mark.parametrize("persona", ["a1.learnerA1", "a1.teacher"])
def test_the_query_count_does_not_grow_with_the_number_of_classes(world, persona):
    def count() -> tuple[int, int]:
        actor = world.actor(persona)
        actor.staff_groups  # noqa: B018  (what the actor holds is read once per request, before the page)
        actor.is_learner  # noqa: B018
        with CaptureQueriesContext(connection) as queries:
            items = _fortnight(actor)
        return len(queries), len(items)

    before, few = count()
    _more_classes(world, 8)
    after, many = count()
    assert many >= few + 8 + 8  # each class adds at least its homework and its event
    assert after == before
    assert before == {"a1.learnerA1": 13, "a1.teacher": 11}[persona]


def test_the_week_page_lists_each_day_under_its_heading(client, world, django_assert_max_num_queries):
    client.force_login(world.users["a1.learnerA1"])
    client.get("/")
    day = today() + datetime.timedelta(days=7)
    with django_assert_max_num_queries(22):
        page = client.get(f"/calendar/week/?date={day.isoformat()}").content.decode()
    monday = day - datetime.timedelta(days=day.weekday())
    for n in range(7):
        d = monday + datetime.timedelta(days=n)
        assert f'<h2 class="govuk-heading-m" id="day-{d.isoformat()}">{d:%A} {d.day} {d:%B}' in page
    assert f"?date={(monday - datetime.timedelta(days=7)).isoformat()}" in page
    assert f"?date={(monday + datetime.timedelta(days=7)).isoformat()}" in page
    assert "Fractions" in page and 'name="date"' in page


def test_a_bad_date_is_named_and_this_week_shown(client, world):
    client.force_login(world.users["a1.learnerA1"])
    for bad in ("2026-02-30", "soon", "0001-01-01", ""):
        response = client.get(f"/calendar/week/?date={bad}")
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page and "This week" in page


def test_the_api_answers_for_the_signed_in_person(client, world):
    client.force_login(world.users["a1.learnerA1"])
    start = today()
    rows = client.get(f"/api/v1/calendar?start={start}&end={start + datetime.timedelta(days=13)}").json()
    assert {r["title"] for r in rows if r["kind"] == "homework"} == {"Fractions", "Sketchbook"}
    assert all(r["day"] >= start.isoformat() for r in rows if r["kind"] != "holiday")
    assert client.get(f"/api/v1/calendar?start={start}&end={start - datetime.timedelta(days=1)}").status_code == 422
    assert client.get(f"/api/v1/calendar?start={start}&end={start + datetime.timedelta(days=62)}").status_code == 422
    assert client.get("/api/v1/calendar?start=nonsense").status_code == 422
    for far in ("start=9999-12-31", "start=0001-01-01", "start=2026-01-01&end=9999-12-31"):
        assert client.get(f"/api/v1/calendar?{far}").status_code == 422, far
    assert client.get("/api/v1/calendar").status_code == 200


def test_home_shows_whats_coming_up(client, world):
    client.force_login(world.users["a1.learnerA1"])
    page = client.get("/").content.decode()
    assert "What's coming up" in page and "Sketchbook" in page and "/calendar/week/" in page
    assert "Fractions" not in page  # due a week today: the 8th day, after "the next 7 days" (today and 6 more)


@pytest.mark.parametrize(("hour", "minute", "words"), [(9, 0, "9am"), (14, 30, "2:30pm"), (12, 0, "midday"),
                                                       (0, 0, "midnight"), (0, 15, "12:15am"), (12, 5, "12:05pm")])
def test_times_in_words(hour, minute, words):
    assert clock(datetime.time(hour, minute)) == words
