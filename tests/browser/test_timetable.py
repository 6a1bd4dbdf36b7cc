"""The school's week in a real browser: a teacher's timetable, a lesson register taken by the office
(covering), and the pastoral list of learners missing from lessons."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser


def test_teacher_sees_their_timetable(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.teacher", check_a11y=False)
    page.get_by_role("link", name="Timetable").first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Your timetable"
    assert page.locator("table.cr-timetable tbody td", has_text="Year").count() > 0, "the teacher has no lessons"
    assert_accessible(page, "teacher's timetable")


def test_office_takes_a_lesson_register_on_a_phone_and_sees_who_is_missing(chromium: Any, live_demo: LiveDemo) -> None:
    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.head", check_a11y=False)
        page.goto("/registers/")
        page.get_by_role("link", name="Timetable").last.click()
        page.wait_for_load_state("load")
        assert_accessible(page, "school timetable")
        page.locator("main a", has_text="Today's register").first.click()
        page.wait_for_load_state("load")
        assert "lesson register" in page.locator("h1").inner_text()
        assert_accessible(page, "lesson register on a phone")
        assert_no_sideways_scroll(page, "lesson register")
        absent = page.locator("input[type=radio][value=absent]")
        assert absent.count() > 0
        absent.first.check()
        page.get_by_role("button", name="Save lesson register").click()
        page.wait_for_load_state("load")
        assert "Lesson register saved" in page.locator("main").inner_text()
        page.goto("/registers/")
        page.get_by_role("link", name="Missing from lessons").first.click()
        page.wait_for_load_state("load")
        assert_accessible(page, "missing from lessons")
    finally:
        context.close()


def test_school_week_settings_are_accessible(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.head", check_a11y=False)
    page.goto("/registers/")
    page.get_by_role("link", name="Timetable").last.click()
    page.get_by_role("link", name="The school day, rooms and terms").click()
    page.wait_for_load_state("load")
    assert "P1" in page.locator("main").inner_text()
    assert_accessible(page, "school week")
    page.fill("#id_room-name", "")
    page.get_by_role("button", name="Add the room").click()
    page.wait_for_load_state("load")
    assert page.locator(".govuk-error-summary").count() >= 1
