"""Taking, amending and counting the statutory register, over the persona world."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from commonroom.authz.api import NotFound
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import today
from commonroom.records import selectors, services
from commonroom.records.models import AttendanceMark, MarkChange, Register
from commonroom.records.services import MarkEntry, RegisterConflict


def _entries(world, codes: dict[str, str], seen: dict[str, int] | None = None) -> list[MarkEntry]:
    return [
        MarkEntry(world.learners[key].pk, code, "Bereavement" if code == "C" else "", None, (seen or {}).get(key, 0))
        for key, code in codes.items()
    ]


def test_tutor_takes_the_morning_register(world) -> None:
    actor = world.actor("a1.tutor")
    form = world.groups["a1.formA"]
    sheet = selectors.register_sheet(actor, form.pk, today(), "AM")
    assert {row.roll.learner_id for row in sheet.rows} == {world.learners["a1.learnerA1"].pk, world.learners["a1.learnerA2"].pk}
    assert sheet.unmarked == 2
    result = services.register_save(
        actor=actor, group=form, day=today(), session="AM", entries=_entries(world, {"a1.learnerA1": "/", "a1.learnerA2": "N"})
    )
    assert (result.created, result.changed) == (2, 0)
    marks = dict(AttendanceMark.objects.filter(date=today(), session="AM").values_list("learner_id", "code"))
    assert marks == {world.learners["a1.learnerA1"].pk: "/", world.learners["a1.learnerA2"].pk: "N"}
    register = Register.objects.get(group=form, date=today(), session="AM")
    assert register.taken_by_id == world.people["a1.tutor"].pk
    assert AuditEvent.objects.filter(action="attendance.register_saved", object_id=str(register.pk)).exists()


def _add_learners(world, count: int) -> list[int]:
    from commonroom.people.models import Enrolment, GroupMembership, Learner, Person

    inst, form = world.institutions["a1"], world.groups["a1.formA"]
    start = today() - datetime.timedelta(days=10)
    ids = []
    for n in range(count):
        person = Person.objects.create(given_name=f"Extra{n}", family_name="Learner")
        learner = Learner.objects.create(person=person)
        Enrolment.objects.create(institution=inst, learner=learner, start_date=start)
        GroupMembership.objects.create(institution=inst, group=form, learner=learner, start_date=start)
        ids.append(learner.pk)
    return ids


def test_saving_a_register_takes_the_same_queries_for_2_or_30_learners(world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actor = world.actor("a1.office")
    form = world.groups["a1.formA"]
    actor.role_rows  # noqa: B018 - loaded once per request in real use
    two = [world.learners["a1.learnerA1"].pk, world.learners["a1.learnerA2"].pk]

    def save(session: str, ids: list[int], code: str, seen: int = 0, day: datetime.date | None = None) -> int:
        with CaptureQueriesContext(connection) as queries:
            services.register_save(actor=actor, group=form, day=day or today(), session=session,
                                   entries=[MarkEntry(pk, code, seen_version=seen) for pk in ids])
        return len(queries)

    form.institution  # noqa: B018 - as the view loads it
    monday = today() - datetime.timedelta(days=today().weekday() or 7)
    save("AM", two, "/", day=monday)  # warm: content types and the like are loaded once per process
    small_new = save("AM", two, "/")
    small_changed = save("AM", two, "L", seen=1)
    thirty = two + _add_learners(world, 28)
    large_new = save("PM", thirty, "\\")
    large_changed = save("PM", thirty, "L", seen=1)
    assert AttendanceMark.objects.filter(date=today(), session="PM").count() == 30
    assert MarkChange.objects.filter(mark__date=today(), mark__session="PM").count() == 30
    assert (small_new, small_changed) == (large_new, large_changed)
    assert large_new <= 11 and large_changed <= 12, (large_new, large_changed)


def test_changing_a_mark_keeps_history(world) -> None:
    actor = world.actor("a1.tutor")
    form = world.groups["a1.formA"]
    services.register_save(actor=actor, group=form, day=today(), session="AM",
                           entries=_entries(world, {"a1.learnerA1": "/", "a1.learnerA2": "/"}))
    mark = AttendanceMark.objects.get(learner=world.learners["a1.learnerA1"], date=today(), session="AM")
    services.register_save(actor=actor, group=form, day=today(), session="AM",
                           entries=_entries(world, {"a1.learnerA1": "L"}, {"a1.learnerA1": mark.version}))
    change = MarkChange.objects.get(mark=mark)
    assert (change.from_code, change.to_code, change.changed_by_id) == ("/", "L", world.people["a1.tutor"].pk)
    mark.refresh_from_db()
    assert (mark.code, mark.version, mark.recorded_by_id) == ("L", 2, world.people["a1.tutor"].pk)


def test_a_later_save_from_another_device_does_not_drop_the_earlier_changes(world) -> None:
    actor = world.actor("a1.tutor")
    form = world.groups["a1.formA"]
    # Device one saves first: A1 present, A2 absent (N).
    services.register_save(actor=actor, group=form, day=today(), session="AM",
                           entries=_entries(world, {"a1.learnerA1": "/", "a1.learnerA2": "N"}))
    # Device two opened the register before that save (it saw no marks) and marks A2 late.
    with pytest.raises(RegisterConflict) as caught:
        services.register_save(actor=actor, group=form, day=today(), session="AM",
                               entries=_entries(world, {"a1.learnerA1": "/", "a1.learnerA2": "L"}))
    assert list(caught.value.message_dict) == [f"code_{world.learners['a1.learnerA2'].pk}"]
    assert "A2-Learner" in " ".join(caught.value.messages) or "Learnera2" in " ".join(caught.value.messages)
    assert AttendanceMark.objects.get(learner=world.learners["a1.learnerA2"], date=today(), session="AM").code == "N"
    # The same choice as the other device is not a conflict.
    result = services.register_save(actor=actor, group=form, day=today(), session="AM",
                                    entries=_entries(world, {"a1.learnerA1": "/"}))
    assert (result.created, result.changed, result.unchanged) == (0, 0, 1)


@pytest.mark.parametrize(
    ("codes", "field_learner", "words"),
    [
        ({"a1.learnerA1": "H"}, "a1.learnerA1", "2024"),
        ({"a1.learnerA1": "QQ"}, "a1.learnerA1", "not an attendance code"),
        ({"a1.learnerA1": "\\"}, "a1.learnerA1", "present mark for the afternoon"),
        ({"a1.learnerB1": "/"}, "a1.learnerB1", "not on this register"),
        ({"b1.learnerA1": "/"}, "b1.learnerA1", "not on this register"),
        ({"a1.leaver": "/"}, "a1.leaver", "not on this register"),
    ],
)
def test_bad_marks_name_the_learner_and_save_nothing(world, codes, field_learner, words) -> None:
    with pytest.raises(ValidationError) as caught:
        services.register_save(actor=world.actor("a1.tutor"), group=world.groups["a1.formA"], day=today(),
                               session="AM", entries=_entries(world, {"a1.learnerA2": "/", **codes}))
    errors = caught.value.message_dict
    assert list(errors) == [f"code_{world.learners[field_learner].pk}"]
    assert words in errors[f"code_{world.learners[field_learner].pk}"][0]
    assert not AttendanceMark.objects.filter(date=today()).exists()


def test_explanation_required_for_exceptional_circumstances(world) -> None:
    with pytest.raises(ValidationError, match="needs an explanation"):
        services.register_save(actor=world.actor("a1.tutor"), group=world.groups["a1.formA"], day=today(),
                               session="AM", entries=[MarkEntry(world.learners["a1.learnerA1"].pk, "C")])


@pytest.mark.parametrize("persona", ["a1.teacher", "a1.senco", "b1.tutor", "a1.learnerA1", "parent.a1", "la1.officer", "platform.admin"])
def test_only_the_tutor_and_attendance_staff_take_a_register(world, persona: str) -> None:
    with pytest.raises(NotFound):
        services.register_save(actor=world.actor(persona), group=world.groups["a1.formA"], day=today(), session="AM",
                               entries=_entries(world, {"a1.learnerA1": "/"}))


def test_teaching_groups_have_no_statutory_register(world) -> None:
    with pytest.raises(NotFound):
        services.register_save(actor=world.actor("a1.office"), group=world.groups["a1.maths"], day=today(), session="AM",
                               entries=_entries(world, {"a1.learnerA1": "/"}))


def test_tutors_take_todays_register_only(world) -> None:
    tutor, form = world.actor("a1.tutor"), world.groups["a1.formA"]
    with pytest.raises(ValidationError, match="future"):
        services.register_save(actor=tutor, group=form, day=today() + datetime.timedelta(days=7), session="AM", entries=[])
    past = today() - datetime.timedelta(days=7)
    with pytest.raises(ValidationError, match="office"):
        services.register_save(actor=tutor, group=form, day=past, session="AM", entries=[])
    # Attendance staff may complete a past register.
    services.register_save(actor=world.actor("a1.office"), group=form, day=past, session="AM",
                           entries=_entries(world, {"a1.learnerA1": "/", "a1.learnerA2": "/"}))
    # Everyone on the register must be marked.
    with pytest.raises(ValidationError, match="Not marked"):
        services.register_save(actor=world.actor("a1.office"), group=form, day=past, session="PM",
                               entries=_entries(world, {"a1.learnerA1": "\\"}))


def test_not_a_school_day(world) -> None:
    saturday = today() - datetime.timedelta(days=(today().weekday() - 5) % 7 or 7)
    with pytest.raises(ValidationError, match="not a school day"):
        services.register_save(actor=world.actor("a1.office"), group=world.groups["a1.formA"], day=saturday,
                               session="AM", entries=[])


def test_office_replaces_n_with_a_final_code_with_a_reason(world) -> None:
    services.register_save(actor=world.actor("a1.tutor"), group=world.groups["a1.formA"], day=today(), session="AM",
                           entries=_entries(world, {"a1.learnerA1": "N", "a1.learnerA2": "/"}))
    mark = AttendanceMark.objects.get(code="N", date=today())
    office = world.actor("a1.office")
    with pytest.raises(ValidationError) as caught:
        services.mark_amend(actor=office, mark=mark, code="I", explanation="", reason="", seen_version=1)
    assert "reason" in caught.value.message_dict
    services.mark_amend(actor=office, mark=mark, code="I", explanation="", reason="Parent phoned: ill", seen_version=1)
    with pytest.raises(ValidationError, match="since you opened it"):
        services.mark_amend(actor=office, mark=mark, code="M", explanation="", reason="x", seen_version=1)
    history = selectors.mark_history(mark)
    assert [(c.from_code, c.to_code, c.reason) for c in history] == [("N", "I", "Parent phoned: ill")]
    for persona in ("a1.tutor", "a1.teacher", "b1.office", "parent.a1", "a1.senco"):
        with pytest.raises(NotFound):
            services.mark_amend(actor=world.actor(persona), mark=mark, code="O", explanation="", reason="x", seen_version=2)


def test_planned_absence_and_closure(world) -> None:
    office = world.actor("a1.office")
    learner = world.learners["a1.learnerA1"]
    monday = today() + datetime.timedelta(days=7 - today().weekday())
    result = services.planned_absence(actor=office, learner=learner, institution=world.institutions["a1"], first=monday,
                                      first_session="AM", last=monday + datetime.timedelta(days=1), last_session="AM",
                                      code="M", explanation="Hospital appointment")
    assert result.created == 3  # Monday AM and PM, Tuesday AM
    # The closure overwrites the planned absence on Monday, with history.
    closed = services.closure_record(actor=office, institution=world.institutions["a1"], day=monday,
                                     sessions=["AM", "PM"], reason="Staff training day")
    on_roll = 4  # a1's leaver has left
    assert (closed.created, closed.changed) == (2 * on_roll - 2, 2)
    assert set(MarkChange.objects.filter(source="closure").values_list("from_code", "to_code")) == {("M", "#")}
    with pytest.raises(NotFound):
        services.closure_record(actor=world.actor("a1.tutor"), institution=world.institutions["a1"], day=monday,
                                sessions=["AM"], reason="x")
    with pytest.raises(ValidationError, match="absence, activity"):
        services.planned_absence(actor=office, learner=learner, institution=world.institutions["a1"], first=monday,
                                 first_session="AM", last=monday, last_session="AM", code="/", explanation="")


def test_figures_count_exactly_as_the_statistics_do(world) -> None:
    """20 sessions: 15 present, 1 approved activity, 2 authorised, 1 unauthorised, 1 not possible."""
    office = world.actor("a1.office")
    learner = world.learners["a1.learnerA2"]
    codes = ["/"] * 7 + ["L", "V", "I", "M", "N", "X"] + ["/"] * 7
    days = []
    day = today()
    while len(days) < 10:
        if day.weekday() < 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    cells = [(d, s) for d in sorted(days) for s in ("AM", "PM")]
    enrolment = learner.enrolments.get()
    AttendanceMark.objects.bulk_create(
        AttendanceMark(institution=world.institutions["a1"], learner=learner, enrolment=enrolment, date=d, session=s,
                       code=("\\" if c == "/" and s == "PM" else c))
        for (d, s), c in zip(cells, codes, strict=True)
    )
    got = selectors.learner_attendance(office, learner.pk, sorted(days)[0], today())
    figures = got.enrolments[0].figures
    assert (figures.possible, figures.attended, figures.authorised, figures.unauthorised) == (19, 16, 2, 1)
    assert str(figures.attendance_pct) == "84.2" and str(figures.absence_pct) == "15.8"
    assert figures.persistent and not figures.severe
    inst = selectors.institution_attendance(office, world.institutions["a1"].pk, sorted(days)[0], today())
    assert inst.persistent == 1 and inst.severe == 0 and inst.outstanding_n == 1
    _institution, page = selectors.persistent_absentees(office, world.institutions["a1"].pk, sorted(days)[0], today())
    assert [row.learner.pk for row in page.object_list] == [learner.pk]
    # A parent sees their child's figures; the barred parent and another school's staff do not.
    assert selectors.learner_attendance(world.actor("parent.two"), learner.pk, sorted(days)[0], today()).enrolments
    for persona in ("parent.a1", "b1.head", "la2.officer"):
        with pytest.raises(NotFound):
            selectors.learner_attendance(world.actor(persona), learner.pk, sorted(days)[0], today())
    assert AuditEvent.objects.filter(action="read.attendance", learner_id=learner.pk).exists()


def test_exactly_ten_percent_is_persistent(world) -> None:
    f = selectors.Figures(possible=20, attended=18, authorised=1, unauthorised=1)
    assert f.persistent and not f.severe
    assert not selectors.Figures(possible=21, attended=19, authorised=1, unauthorised=1).persistent
    assert selectors.Figures(possible=2, attended=1, authorised=1, unauthorised=0).severe
    assert selectors.Figures().attendance_pct is None


def test_the_api_saves_a_register_and_reports_conflicts(client, world) -> None:
    client.force_login(world.users["a1.tutor"])
    group = world.groups["a1.formA"]
    a1, a2 = world.learners["a1.learnerA1"].pk, world.learners["a1.learnerA2"].pk
    url = f"/api/v1/groups/{group.pk}/register"
    body = {"date": today().isoformat(), "session": "AM",
            "marks": [{"learner_id": a1, "code": "/"}, {"learner_id": a2, "code": "N"}]}
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    assert {row["learner_id"]: row["code"] for row in response.json()["sheet"]["rows"]} == {a1: "/", a2: "N"}
    stale = {"date": today().isoformat(), "session": "AM", "marks": [{"learner_id": a2, "code": "L", "seen_version": 0}]}
    conflict = client.put(url, stale, content_type="application/json")
    assert conflict.status_code == 409
    assert conflict.json()["conflicts"] == [{"learner_id": a2, "current_code": "N", "current_version": 1}]
    bad = client.put(url, {**body, "marks": [{"learner_id": a1, "code": "H"}]}, content_type="application/json")
    assert bad.status_code == 422 and "2024" in bad.content.decode()
    got = client.get(f"{url}?date={today().isoformat()}&session=AM").json()
    assert got["taken"] is True


def test_a_tutor_cannot_overwrite_the_offices_marks_and_minutes_late_survive(world) -> None:
    office, tutor, form = world.actor("a1.office"), world.actor("a1.tutor"), world.groups["a1.formA"]
    a1, a2 = world.learners["a1.learnerA1"], world.learners["a1.learnerA2"]
    services.planned_absence(actor=office, learner=a1, institution=world.institutions["a1"], first=today(),
                             first_session="AM", last=today(), last_session="AM", code="M", explanation="Dentist")
    with pytest.raises(RegisterConflict, match="ask the office"):
        services.register_save(actor=tutor, group=form, day=today(), session="AM", entries=[
            MarkEntry(a1.pk, "/", seen_version=1, seen_code="M"), MarkEntry(a2.pk, "/")])
    # Left as the office recorded it, the register saves.
    services.register_save(actor=tutor, group=form, day=today(), session="AM", entries=[
        MarkEntry(a1.pk, "M", "Dentist", seen_version=1, seen_code="M"), MarkEntry(a2.pk, "L")])
    late = AttendanceMark.objects.get(learner=a2, date=today(), session="AM")
    services.mark_amend(actor=office, mark=late, code="L", explanation="", reason="Signed in late", seen_version=1,
                        minutes_late=12)
    # The tutor saves again without touching anything: the minutes late are kept, nothing is written.
    result = services.register_save(actor=tutor, group=form, day=today(), session="AM", entries=[
        MarkEntry(a1.pk, "M", "Dentist", seen_version=1, seen_code="M"), MarkEntry(a2.pk, "L", seen_version=2, seen_code="L")])
    late.refresh_from_db()
    assert (result.changed, late.minutes_late, late.version) == (0, 12, 2)
    change = MarkChange.objects.get(mark=late)
    assert (change.from_minutes_late, change.to_minutes_late) == (None, 12)


def test_a_barred_tutor_never_sees_the_learner_on_the_register(world) -> None:
    from commonroom.people.models import GroupStaff

    GroupStaff.objects.create(institution=world.institutions["a1"], group=world.groups["a1.formA"],
                              person=world.people["a1.teacher2"], role="tutor", start_date=today())
    teacher2 = world.actor("a1.teacher2")
    sheet = selectors.register_sheet(teacher2, world.groups["a1.formA"].pk, today(), "AM")
    assert [row.roll.learner_id for row in sheet.rows] == [world.learners["a1.learnerA2"].pk]
    with pytest.raises(ValidationError, match="not on this register"):
        services.register_save(actor=teacher2, group=world.groups["a1.formA"], day=today(), session="AM",
                               entries=_entries(world, {"a1.learnerA1": "/", "a1.learnerA2": "/"}))


def test_leavers_stay_in_the_schools_figures_and_lists(world) -> None:
    office = world.actor("a1.office")
    leaver = world.learners["a1.leaver"]
    start = today() - datetime.timedelta(days=60)
    _institution, page = selectors.persistent_absentees(office, world.institutions["a1"].pk, start, today())
    rows = {row.learner.pk: row for row in page.object_list}
    # The world gives everyone one / and one N six weeks ago: 50% absence, the leaver included.
    assert leaver.pk in rows and rows[leaver.pk].openable is False
    inst = selectors.institution_attendance(office, world.institutions["a1"].pk, start, today())
    assert inst.persistent == len(rows) == inst.severe
    mark = AttendanceMark.objects.get(learner=leaver, session="PM")
    assert selectors.mark_for(office, mark.pk)[1] == []  # staff see the (empty) history
    assert selectors.mark_for(world.actor("a1.learnerA1"), AttendanceMark.objects.get(
        learner=world.learners["a1.learnerA1"], session="PM").pk)[1] is None  # a learner does not see who changed it


def test_year_and_group_figures_count_each_session_once(world) -> None:
    from commonroom.people.models import GroupMembership

    office = world.actor("a1.head")
    start = today() - datetime.timedelta(days=60)
    # An old, ended year-group membership must not double-count.
    GroupMembership.objects.create(institution=world.institutions["a1"], group=world.groups["a1.year10"],
                                   learner=world.learners["a1.learnerA1"], start_date=start - datetime.timedelta(days=400),
                                   end_date=start - datetime.timedelta(days=300))
    inst = selectors.institution_attendance(office, world.institutions["a1"].pk, start, today())
    # Everyone was in Year 10 on the day of the world's marks (the leaver too): each session counts once.
    assert [row["figures"].possible for row in inst.by_year] == [inst.figures.possible] == [10]
    # A learner who joined form B yesterday brings no earlier sessions to form B.
    GroupMembership.objects.create(institution=world.institutions["a1"], group=world.groups["a1.formB"],
                                   learner=world.learners["a1.learnerA1"], start_date=today() - datetime.timedelta(days=1))
    group = selectors.group_figures(office, world.groups["a1.formB"].pk, start, today())
    assert group.figures.possible == 4  # B1 and B2, one / and one N each
    assert group.persistent == 2 and group.severe == 2
