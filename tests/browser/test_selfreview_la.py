"""The self-review authority view in a real browser: the demo officer finds it from the self-review page and
reads it (targets, the chart with its table, progress over years, who has not reviewed), checked with axe,
and on a phone without sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser


def test_an_officer_reads_the_authority_view(page: Any, chromium: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.officer", check_a11y=False)
    page.goto("/self-review/")
    page.locator("main a", has_text="Self-review across").first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Self-review across the authority"
    main = page.locator("main").inner_text()
    for heading in ("Targets", "Levels per element", "Progress over the years", "No review for over a year", "Institutions"):
        assert heading in main, heading
    assert "80% at the threshold in leadership (generated)" in main
    assert page.locator("main svg[role=img]").count() == 2
    assert page.locator("main table caption", has_text="the chart as a table").count() == 1
    assert_accessible(page, "authority view")
    url = page.url
    page.select_option("#framework", "parental-engagement")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    assert "framework=parental-engagement" in page.url
    assert_accessible(page, "authority view, another framework")

    handset = phone(chromium, live_demo)
    try:
        small = handset.new_page()
        sign_in(small, live_demo, "demo.officer", check_a11y=False)
        small.goto(url)
        assert_accessible(small, "authority view on a phone")
        assert_no_sideways_scroll(small, "authority view")
    finally:
        handset.close()
