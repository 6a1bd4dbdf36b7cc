"""Attendance in a real browser: a form tutor takes the morning register on a phone, the office
corrects a mark, the head reads the figures. Every page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser


def _take_register(page: Any, session_label: str) -> None:
    page.goto("/registers/")
    assert_accessible(page, "registers")
    page.get_by_role("link", name=session_label).first.click()
    page.wait_for_load_state("load")
    assert "register" in page.locator("h1").inner_text()


def test_tutor_takes_the_register_on_a_phone(chromium: Any, live_demo: LiveDemo) -> None:
    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.tutor")
        _take_register(page, "Take the morning register")
        assert_accessible(page, "empty register on a phone")
        assert_no_sideways_scroll(page, "register")
        selects = page.locator("main table select")
        learners = selects.count()
        assert learners > 0, "the register lists nobody"
        assert all(value == "" for value in [selects.nth(i).input_value() for i in range(learners)])
        page.get_by_role("button", name="Mark everyone not yet marked present").click()
        page.wait_for_load_state("load")
        assert all(selects.nth(i).input_value() == "/" for i in range(learners))
        selects.nth(0).select_option("N")
        page.get_by_role("button", name="Save register").last.click()
        page.wait_for_load_state("load")
        assert "Register saved" in page.locator("main").inner_text()
        assert selects.nth(0).input_value() == "N"
        assert all(selects.nth(i).input_value() == "/" for i in range(1, learners))
        assert_accessible(page, "saved register on a phone")
        assert_no_sideways_scroll(page, "saved register")
    finally:
        context.close()


def test_register_errors_are_shown_at_the_learner(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.tutor", check_a11y=False)
    _take_register(page, "Take the afternoon register")
    page.locator("main table select").first.select_option("C")  # needs an explanation
    page.get_by_role("button", name="Save register").last.click()
    page.wait_for_load_state("load")
    summary = page.locator(".govuk-error-summary")
    assert "needs an explanation" in summary.inner_text()
    assert page.locator("main table .govuk-error-message").count() == 1
    assert_accessible(page, "register with an error")


def test_register_works_without_javascript(chromium: Any, live_demo: LiveDemo) -> None:
    context = chromium.new_context(base_url=live_demo.base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.head", check_a11y=False)
        page.goto("/registers/")
        links = page.locator("main a", has_text="Take")
        assert links.count() > 0
        links.last.click()
        page.get_by_role("button", name="Mark everyone not yet marked present").click()
        page.get_by_role("button", name="Save register").last.click()
        assert "Register saved" in page.locator("main").inner_text()
    finally:
        context.close()


def test_head_reads_attendance_figures_and_corrects_a_mark(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.head", check_a11y=False)
    page.goto("/registers/")
    page.get_by_role("link", name="Attendance figures").first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Attendance"
    assert "Sessions possible" in page.locator("main").inner_text()
    assert_accessible(page, "institution attendance")
    page.locator("main a", has_text="persistent absentee").first.click()
    page.wait_for_load_state("load")
    assert_accessible(page, "persistent absentees")
    first = page.locator("main tbody a").first
    if first.count():
        first.click()
        page.wait_for_load_state("load")
        assert page.locator("svg.cr-chart__svg").count() >= 1
        page.get_by_text("Week by week as a table").first.click()
        assert_accessible(page, "learner attendance with its chart")
    page.goto("/registers/")
    page.get_by_role("link", name="Absences to explain (N)").first.click()
    page.wait_for_load_state("load")
    assert_accessible(page, "absences to explain")
    correct = page.locator("main tbody a", has_text="Correct")
    assert correct.count() > 0, "the demo should leave some N marks to explain"
    correct.first.click()
    page.wait_for_load_state("load")
    page.locator("#id_code").select_option("I")
    page.fill("#id_reason", "Parent phoned: ill")
    page.get_by_role("button", name="Change the mark").click()
    page.wait_for_load_state("load")
    assert "Parent phoned: ill" in page.locator("main table").inner_text()
    assert_accessible(page, "mark with its history")
