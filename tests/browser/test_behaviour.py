"""Behaviour in a real browser: a teacher records an incident and gives rewards, the head reads the summary."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser


def test_teacher_records_an_incident(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.teacher", check_a11y=False)
    page.goto("/behaviour/")
    assert_accessible(page, "behaviour home")
    page.locator("main a", has_text="Incident").first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Record an incident"
    assert_accessible(page, "incident form")
    # Nothing chosen: the errors say what is missing, at the fields.
    page.get_by_role("button", name="Record the incident").click()
    page.wait_for_load_state("load")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "category" in summary.lower() or "required" in summary.lower()
    assert_accessible(page, "incident form with errors")
    page.locator("#id_category").select_option(index=1)
    page.locator("input[name=severity]").first.check()
    page.fill("#id_description", "Threw a pencil across the room")
    page.fill("#id_location", "Room 7")
    roles = page.locator("#learners select")
    assert roles.count() > 0, "the group has nobody the teacher can record for"
    roles.nth(0).select_option("instigator")
    if roles.count() > 1:
        roles.nth(1).select_option("target")
    page.get_by_role("button", name="Record the incident").click()
    page.wait_for_load_state("load")
    assert "The incident is recorded" in page.locator("main").inner_text()
    assert "Threw a pencil across the room" in page.locator("main").inner_text()
    assert_accessible(page, "incident detail")
    page.locator("main tbody a").first.click()
    page.wait_for_load_state("load")
    assert "Behaviour and rewards" in page.locator("h1").inner_text()
    assert_accessible(page, "learner timeline")


def test_rewards_for_several_learners_on_a_phone(chromium: Any, live_demo: LiveDemo) -> None:
    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.teacher", check_a11y=False)
        page.goto("/behaviour/")
        page.locator("main a", has_text="Reward").first.click()
        page.wait_for_load_state("load")
        assert_accessible(page, "reward form on a phone")
        assert_no_sideways_scroll(page, "reward form")
        page.locator("#id_category").select_option(index=1)
        boxes = page.locator("input[name=learners]")
        for index in range(min(3, boxes.count())):
            boxes.nth(index).check()
        page.get_by_role("button", name="Give the reward").click()
        page.wait_for_load_state("load")
        assert "rewards given" in page.locator("main").inner_text()
    finally:
        context.close()


def test_head_reads_the_behaviour_summary(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.head", check_a11y=False)
    page.goto("/behaviour/")
    page.locator("main a", has_text=live_demo.account("demo.head").institution).first.click()
    page.wait_for_load_state("load")
    text = page.locator("main").inner_text()
    assert "By category" in text and "By year group" in text and "By week" in text
    assert_accessible(page, "behaviour summary")
    page.get_by_role("link", name="Categories, points and alerts").click()
    page.wait_for_load_state("load")
    assert_accessible(page, "behaviour settings")
