"""Alerts in a real browser, on a phone: the head switches absence alerts on, a parent chooses channels."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser


def test_head_switches_alerts_on_then_a_parent_chooses_on_a_phone(chromium: Any, live_demo: LiveDemo) -> None:
    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.head", check_a11y=False)
        school = live_demo.account("demo.head").institution
        institutions = page.request.get("/api/v1/institutions?page_size=200").json()["items"]
        pk = next(row["id"] for row in institutions if row["name"] == school)
        page.goto(f"/institutions/{pk}/alerts/")
        assert page.locator("h1").inner_text() == "Alerts to families"
        assert_accessible(page, "school alert settings")
        assert_no_sideways_scroll(page, "school alert settings")
        page.fill("#id_retry_limit", "0")
        page.get_by_label("Absent with no reason given").check()
        page.get_by_role("button", name="Save settings").click()
        page.wait_for_load_state("load")
        assert "There is a problem" in page.locator("main").inner_text()
        assert page.get_by_label("Absent with no reason given").is_checked()  # nothing typed is lost
        assert_accessible(page, "settings with an error")
        page.fill("#id_retry_limit", "3")
        page.get_by_role("button", name="Save settings").click()
        page.wait_for_load_state("load")
        assert "Alert settings saved" in page.locator("main").inner_text()
        page.goto(f"/institutions/{pk}/alerts/undelivered/")
        assert_accessible(page, "undelivered alerts")
        assert_no_sideways_scroll(page, "undelivered alerts")
    finally:
        context.close()
    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.parent", check_a11y=False)
        page.goto("/account/alerts/")
        assert page.locator("h1").inner_text() == "Alerts"
        assert_accessible(page, "parent's alert choices")
        assert_no_sideways_scroll(page, "parent's alert choices")
        group = page.locator("fieldset", has_text="Absent with no reason given")
        group.get_by_label("Text message").uncheck()
        page.get_by_role("button", name="Save choices").click()
        page.wait_for_load_state("load")
        assert "Your alert choices are saved" in page.locator("main").inner_text()
        assert not page.locator("fieldset", has_text="Absent with no reason given").get_by_label("Text message").is_checked()
    finally:
        context.close()
