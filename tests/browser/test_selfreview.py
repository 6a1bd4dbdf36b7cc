"""Self-review in a real browser: the head starts a review, answers an aspect (a bad link first), and reads
the result with its chart and table; the review page on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser


def test_head_starts_a_review_answers_an_aspect_and_reads_the_result(page: Any, chromium: Any, live_demo: LiveDemo) -> None:
    live_demo.manage("load_frameworks")
    sign_in(page, live_demo, "demo.head", check_a11y=False)
    page.goto("/self-review/")
    assert_accessible(page, "self-reviews")
    page.locator("main a", has_text="Start a review of").first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Start a self-review"
    assert_accessible(page, "start form")
    page.get_by_label("Schools self-review framework (version 1)").check()
    page.fill("#id_title", "Browser review")
    page.get_by_role("button", name="Start the review").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Browser review"
    assert_accessible(page, "review page")
    review_url = page.url
    page.locator("main a", has_text="1a-1").first.click()
    page.wait_for_load_state("load")
    assert "1a-1" in page.locator("h1").inner_text()
    assert_accessible(page, "aspect form")
    page.locator("input[name=level][value='3']").check()
    page.fill("#id_notes", "Vision agreed by governors in March")
    page.fill("#id_evidence", "javascript:alert(1)")
    page.get_by_role("button", name="Save and return to the review").click()
    page.wait_for_load_state("load")
    assert "must start with http:// or https://" in page.locator(".govuk-error-summary").inner_text()
    assert page.locator("#id_notes").input_value() == "Vision agreed by governors in March"
    assert_accessible(page, "aspect form with errors")
    page.fill("#id_evidence", "https://example.org/vision\nGovernors' minutes, March")
    page.get_by_role("button", name="Save and return to the review").click()
    page.wait_for_load_state("load")
    assert "Aspect 1a-1 saved" in page.locator("main").inner_text()
    assert "1 of 34 aspects have a level" in page.locator("main").inner_text()
    page.get_by_role("link", name="See the result").click()
    page.wait_for_load_state("load")
    assert page.locator("main svg polygon").count() > 5
    assert "Summary by element and strand" in page.locator("main").inner_text()
    assert_accessible(page, "result")

    handset = phone(chromium, live_demo)
    try:
        small = handset.new_page()
        sign_in(small, live_demo, "demo.head", check_a11y=False)
        small.goto(review_url)
        assert_accessible(small, "review page on a phone")
        assert_no_sideways_scroll(small, "review page")
    finally:
        handset.close()
