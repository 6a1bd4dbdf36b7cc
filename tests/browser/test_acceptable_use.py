"""Acceptable use in a real browser, on a phone: the demo learner sees the notice on their home page,
reads their school's policy and accepts it; the notice is gone and the page lists the acceptance with its
date. Every page passes axe-core; none scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_a_learner_reads_and_accepts_the_policy_on_a_phone(chromium: Any, live_demo: LiveDemo) -> None:
    handset = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = handset.new_page()
        sign_in(page, live_demo, "demo.learner", check_a11y=False)
        banner = page.locator(".govuk-notification-banner[aria-labelledby=aup-title]")
        assert "waiting for you to read and accept" in banner.inner_text()
        assert_accessible(page, "home with the acceptable-use notice")
        banner.get_by_role("link", name="Read and accept").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Acceptable use"
        assert_accessible(page, "acceptable use")
        assert_no_sideways_scroll(page, "acceptable use")

        pending = page.locator("main section").first
        title = pending.locator("h3").inner_text()
        pending.get_by_role("link", name=title).click()  # read it first
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == title
        assert "I will only use my own account" in page.locator("main").inner_text()
        assert_accessible(page, "the policy")
        assert_no_sideways_scroll(page, "the policy")

        page.get_by_role("button", name="I accept").click()
        page.wait_for_load_state("load")
        main = page.locator("main")
        assert "you have accepted" in main.inner_text()
        assert title in main.locator("ul.govuk-list").inner_text() and "accepted on" in main.inner_text()
        assert_accessible(page, "after accepting")
        assert_no_sideways_scroll(page, "after accepting")

        page.goto("/")
        page.wait_for_load_state("load")
        assert page.locator(".govuk-notification-banner[aria-labelledby=aup-title]").count() == 0
    finally:
        handset.close()
