"""The two measures that count against a calendar, over a small school built by hand with fixed dates.

The school's year 2025/26 has an autumn half-term from Monday 27 October to Friday 31 October 2025 (no
term days), then term again from Monday 3 November. A window of two weeks ending on Friday 7 November
starts on Saturday 25 October: its first week is the half-term week, its second has five school days.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from commonroom.selfreview import measures

FRIDAY = datetime.date(2025, 11, 7)
SATURDAY = FRIDAY + datetime.timedelta(days=1)  # registers are counted up to the day before the date asked


def _day(month: int, day: int) -> datetime.date:
    return datetime.date(2025, month, day)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), ZoneInfo(settings.TIME_ZONE))


@dataclass
class School:
    institution: object
    year: object
    groups: dict[str, object] = field(default_factory=dict)
    learners: dict[str, object] = field(default_factory=dict)
    enrolments: dict[str, object] = field(default_factory=dict)
    people: dict[str, object] = field(default_factory=dict)

    def form(self, code: str, kind: str = "registration") -> object:
        from commonroom.people.models import Group

        self.groups[code] = Group.objects.create(institution=self.institution, academic_year=self.year, kind=kind,
                                                 code=code, name=code, nc_year=7)
        return self.groups[code]

    def learner(self, name: str, form: str, enrolled: datetime.date) -> None:
        """A learner in ``form`` since 1 September, on roll from ``enrolled``."""
        from commonroom.people.models import Enrolment, GroupMembership, Learner, Person

        person = Person.objects.create(given_name=name, family_name="Measured")
        self.learners[name] = Learner.objects.create(person=person)
        self.enrolments[name] = Enrolment.objects.create(institution=self.institution, learner=self.learners[name],
                                                         start_date=enrolled)
        GroupMembership.objects.create(institution=self.institution, group=self.groups[form],
                                       learner=self.learners[name], start_date=_day(9, 1))

    def register(self, form: str, day: datetime.date, session: str, first_saved: datetime.datetime) -> None:
        from commonroom.records.models import Register

        register = Register.objects.create(institution=self.institution, group=self.groups[form], date=day, session=session)
        Register.objects.filter(pk=register.pk).update(created_at=first_saved)

    def teacher(self, name: str, start: datetime.date, end: datetime.date | None = None, role: str = "teacher") -> object:
        from commonroom.authz.models import RoleAssignment
        from commonroom.people.models import Person

        self.people[name] = Person.objects.create(given_name=name, family_name="Teacher")
        RoleAssignment.objects.create(person=self.people[name], role=role, institution=self.institution,
                                      start_date=start, end_date=end)
        return self.people[name]

    def work(self, by: str, when: datetime.datetime, state: str = "set") -> None:
        from commonroom.learning.models import Assignment

        Assignment.objects.create(institution=self.institution, group=self.groups["7Ma"], title="Work", state=state,
                                  due_at=when + datetime.timedelta(days=7), set_by=self.people[by], set_at=when)


@pytest.fixture
def school(db) -> School:  # type: ignore[no-untyped-def]
    from commonroom.organisations.models import AcademicYear, Institution, Term

    institution = Institution.objects.create(name="Measured Academy (test)", kind="secondary", phase="secondary")
    year = AcademicYear.objects.create(institution=institution, name="2025/26", start_date=_day(9, 1),
                                       end_date=datetime.date(2026, 8, 31))
    Term.objects.create(institution=institution, academic_year=year, name="Autumn 1", start_date=_day(9, 3),
                        end_date=_day(10, 24))
    Term.objects.create(institution=institution, academic_year=year, name="Autumn 2", start_date=_day(11, 3),
                        end_date=_day(12, 19))
    return School(institution, year)


@pytest.fixture
def forms(school: School) -> School:
    """7A: one learner on roll all term. 7B: a learner in the form since September but on roll only from
    Thursday 6 November. 7C: a registration group with nobody in it. 7Ma: a teaching group. A whole-school
    closure on Friday 7 November in the afternoon."""
    from commonroom.records.models import AttendanceMark

    for code in ("7A", "7B", "7C"):
        school.form(code)
    school.form("7Ma", kind="teaching")
    school.learner("Ada", "7A", enrolled=_day(9, 1))
    school.learner("Ben", "7B", enrolled=_day(11, 6))
    for name in ("Ada", "Ben"):
        AttendanceMark.objects.create(institution=school.institution, learner=school.learners[name],
                                      enrolment=school.enrolments[name], date=FRIDAY, session="PM", code="#",
                                      source="closure")
    return school


def _registration(school: School, session: str, starts: datetime.time) -> None:
    from commonroom.records.models import Period

    Period.objects.create(institution=school.institution, name=f"{session} registration", kind="registration",
                          session=session, starts=starts,
                          ends=(datetime.datetime.combine(FRIDAY, starts) + datetime.timedelta(minutes=15)).time())


def _take_registers(school: School) -> None:
    """Due: 7A morning and afternoon Monday to Friday except Friday afternoon (9), 7B Thursday morning and
    afternoon and Friday morning (3): 12. Five of them taken, and three registers that were not due."""
    school.register("7A", _day(11, 3), "AM", _at(_day(11, 3), 8, 50))
    school.register("7A", _day(11, 3), "PM", _at(_day(11, 3), 13, 45))
    school.register("7A", _day(11, 4), "AM", _at(_day(11, 5), 8, 30))  # first saved the next day
    school.register("7A", _day(11, 5), "AM", _at(_day(11, 5), 9, 5))
    school.register("7B", _day(11, 6), "AM", _at(_day(11, 6), 9, 0))  # the minute the register closes
    # Not due, so not counted either way: the closed afternoon, the empty form, half-term.
    school.register("7A", FRIDAY, "PM", _at(FRIDAY, 13, 15))
    school.register("7C", _day(11, 4), "AM", _at(_day(11, 4), 8, 50))
    school.register("7A", _day(10, 28), "AM", _at(_day(10, 28), 8, 50))


# --- Registers on time ---------------------------------------------------------------------------


def test_registers_due_are_school_sessions_of_forms_with_learners_on_roll(forms: School) -> None:
    from commonroom.selfreview.measures import _registers_due

    due, days = _registers_due(forms.institution, _day(10, 25), FRIDAY)
    assert days == 5
    form_a, form_b = forms.groups["7A"].pk, forms.groups["7B"].pk  # type: ignore[attr-defined]
    expected = {(form_a, _day(11, d), s) for d in range(3, 8) for s in ("AM", "PM")} - {(form_a, FRIDAY, "PM")}
    expected |= {(form_b, _day(11, 6), "AM"), (form_b, _day(11, 6), "PM"), (form_b, FRIDAY, "AM")}
    assert due == expected


def test_a_missing_register_counts_and_the_register_closes_after_registration(forms: School, world) -> None:  # type: ignore[no-untyped-def]
    from commonroom.records.models import SchoolWeek

    _registration(forms, "AM", datetime.time(8, 40))
    _registration(forms, "PM", datetime.time(13, 10))
    SchoolWeek.objects.create(institution=forms.institution, register_open_minutes=20)  # closes 09:00 and 13:30
    _take_registers(forms)
    figure = measures.registers_on_time(world.actor("a1.head"), forms.institution, SATURDAY, weeks=2)
    # On time: 7A Monday morning (08:50) and 7B Thursday morning (09:00). Late: 7A Monday afternoon (13:45),
    # Tuesday morning (saved on Wednesday), Wednesday morning (09:05). Never taken: the other seven.
    assert (figure.numerator, figure.denominator, figure.value) == (2, 12, 16.7)
    assert (figure.period_start, figure.period_end) == (_day(10, 25), FRIDAY)
    assert "Of the 12 registers due from 2025-10-25 to 2025-11-07" in figure.sentence
    assert "5 school days" in figure.sentence
    assert "2 were taken on time, 3 late and 7 not at all" in figure.sentence
    assert "morning registers by 09:00 (registration at 08:40 plus the 20 minutes" in figure.sentence
    assert "afternoon registers by 13:30" in figure.sentence
    assert figure.available


def test_without_registration_periods_the_fixed_cut_offs_apply_and_the_sentence_says_so(forms: School, world) -> None:  # type: ignore[no-untyped-def]
    _take_registers(forms)
    figure = measures.registers_on_time(world.actor("a1.head"), forms.institution, SATURDAY, weeks=2)
    # 13:45 and 09:05 are before the fixed cut-offs (16:00, 12:00); a register saved the next day is still late.
    assert (figure.numerator, figure.denominator) == (4, 12)
    assert "4 were taken on time, 1 late and 7 not at all" in figure.sentence
    assert "no registration periods set, so the fixed cut-offs are used" in figure.sentence


def test_a_session_without_a_registration_period_keeps_its_fixed_cut_off(forms: School, world) -> None:  # type: ignore[no-untyped-def]
    _registration(forms, "AM", datetime.time(8, 40))  # no SchoolWeek row: a register stays open 30 minutes
    _take_registers(forms)
    figure = measures.registers_on_time(world.actor("a1.head"), forms.institution, SATURDAY, weeks=2)
    # Morning closes 09:10 (08:50, 09:05 and 09:00 on time; the Tuesday register saved on Wednesday late);
    # afternoon by 16:00 (13:45 on time).
    assert (figure.numerator, figure.denominator) == (4, 12)
    assert "morning registers by 09:10 (registration at 08:40 plus the 30 minutes" in figure.sentence
    assert "afternoon registers by the fixed cut-off of 16:00 (no afternoon registration period is set)" in figure.sentence


def test_nothing_due_in_a_holiday_is_no_figure(forms: School, world) -> None:  # type: ignore[no-untyped-def]
    figure = measures.registers_on_time(world.actor("a1.head"), forms.institution, _day(11, 1), weeks=1)
    assert (figure.numerator, figure.denominator, figure.value, figure.available) == (0, 0, None, False)


def test_registers_on_time_takes_the_same_queries_for_more_days_and_forms(
        forms: School, world, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    head = world.actor("a1.head")
    _registration(forms, "AM", datetime.time(8, 40))
    _take_registers(forms)
    # Terms, closures, groups, enrolments, memberships, registration periods, the school week, registers.
    with django_assert_num_queries(8):
        small = measures.registers_on_time(head, forms.institution, SATURDAY, weeks=2)
    for n in range(4):
        forms.form(f"8{n}")
        forms.learner(f"Learner {n}", f"8{n}", enrolled=_day(9, 1))
        forms.register(f"8{n}", _day(11, 10), "AM", _at(_day(11, 10), 8, 45))
    with django_assert_num_queries(8):
        large = measures.registers_on_time(head, forms.institution, _day(11, 29), weeks=6)
    assert small.denominator == 12
    # Six weeks from Saturday 18 October: 25 school days (half-term left out). 7A and the four new forms:
    # both sessions of each, less the closed Friday afternoon; 7B from Thursday 6 November (17 days).
    assert large.denominator == 5 * (25 * 2 - 1) + (17 * 2 - 1)


# --- Teachers setting work -----------------------------------------------------------------------


def test_teachers_setting_work_counts_teaching_weeks_while_each_teacher_taught(school: School, world) -> None:  # type: ignore[no-untyped-def]
    """Window: the three weeks to Friday 14 November (from Saturday 25 October): half-term, then two
    teaching weeks. Ann teaches throughout (2 teacher-weeks); Bea started on Wednesday 12 November (1);
    Cal left on 20 October (none); the head is not a teacher."""
    school.form("7Ma", kind="teaching")
    school.teacher("Ann", _day(9, 1))
    school.teacher("Bea", _day(11, 12))
    school.teacher("Cal", _day(9, 1), end=_day(10, 20))
    school.teacher("Head", _day(9, 1), role="head")
    school.work("Ann", _at(_day(10, 28), 10))  # half-term: not a teaching week
    school.work("Ann", _at(_day(11, 4), 10))  # week 2
    school.work("Ann", _at(_day(11, 6), 10))  # week 2 again: one teacher-week
    school.work("Ann", _at(_day(11, 13), 10), state="draft")  # not set
    school.work("Bea", _at(_day(11, 5), 10))  # before her role began
    school.work("Bea", _at(_day(11, 13), 10))  # week 3
    school.work("Cal", _at(_day(11, 10), 10))  # after he left
    school.work("Head", _at(_day(11, 10), 10))  # not a teacher
    figure = measures.teachers_setting_work(world.actor("a1.head"), school.institution, _day(11, 14), weeks=3)
    assert (figure.numerator, figure.denominator, figure.value) == (2, 3, 66.7)
    assert (figure.period_start, figure.period_end) == (_day(10, 25), _day(11, 14))
    assert "Of the 3 weeks from 2025-10-25 to 2025-11-14, 2 were teaching weeks" in figure.sentence
    assert "the 2 teachers set work online in 2 of their 3 teacher-weeks" in figure.sentence


def test_no_teaching_weeks_is_no_figure(school: School, world) -> None:  # type: ignore[no-untyped-def]
    school.teacher("Ann", _day(9, 1))
    figure = measures.teachers_setting_work(world.actor("a1.head"), school.institution, _day(10, 31), weeks=1)
    assert (figure.denominator, figure.value, figure.available) == (0, None, False)
    assert "there were no teaching weeks" in figure.sentence


def test_teachers_setting_work_takes_the_same_queries_for_more_teachers_and_weeks(
        school: School, world, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    head = world.actor("a1.head")
    school.form("7Ma", kind="teaching")
    school.teacher("Ann", _day(9, 1))
    school.work("Ann", _at(_day(11, 4), 10))
    with django_assert_num_queries(3):  # terms, teacher roles, work set
        small = measures.teachers_setting_work(head, school.institution, FRIDAY, weeks=2)
    for n in range(5):
        school.teacher(f"Teacher {n}", _day(10, 1) + datetime.timedelta(days=7 * n))
        school.work(f"Teacher {n}", _at(_day(11, 12), 10))
    with django_assert_num_queries(3):
        large = measures.teachers_setting_work(head, school.institution, _day(11, 28), weeks=8)
    assert (small.numerator, small.denominator) == (1, 1)
    # Eight weeks from Saturday 4 October: seven teaching weeks (all but half-term). Ann and the teachers who
    # started on 1 and 8 October count in all seven; those who started on 15, 22 and 29 October from the week
    # holding that day (6, 5 and 4 weeks). Ann set work in one week, each new teacher in one.
    assert large.numerator == 6
    assert large.denominator == 7 + 7 + 7 + 6 + 5 + 4
