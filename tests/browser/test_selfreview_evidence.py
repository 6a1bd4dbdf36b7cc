"""Platform evidence in a real browser: the head starts a review and completes element 1 (leadership and
management), attaching the figure Commonroom offers on aspect 1c-2 (parents with an activated account);
the aspect page with the figure attached is axe-checked, on a desktop and on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser

ELEMENT_1 = ("1a-1", "1b-1", "1b-2", "1c-1", "1c-2", "1d-1")


def test_head_completes_an_element_attaching_platform_evidence(page: Any, chromium: Any, live_demo: LiveDemo) -> None:
    live_demo.manage("load_frameworks")
    sign_in(page, live_demo, "demo.head", check_a11y=False)
    page.goto("/self-review/")
    page.locator("main a", has_text="Start a review of").first.click()
    page.wait_for_load_state("load")
    page.get_by_label("Schools self-review framework (version 1)").check()
    page.fill("#id_title", "Evidence review")
    page.get_by_role("button", name="Start the review").click()
    page.wait_for_load_state("load")
    review_url = page.url
    aspect_url = ""
    for code in ELEMENT_1:
        page.goto(review_url)
        page.locator("main a", has_text=code).first.click()
        page.wait_for_load_state("load")
        assert code in page.locator("h1").inner_text()
        if code == "1c-2":
            aspect_url = page.url.split("#")[0]
            offered = page.locator("#platform-evidence")
            assert "Figures Commonroom can offer" in offered.inner_text()
            assert "Parents and carers with an activated account" in offered.inner_text()
            assert_accessible(page, "aspect with offered evidence")
            attach = offered.get_by_role("button", name=re.compile(r"^Attach this figure\W+Parents and carers"))
            assert attach.count() == 1, offered.inner_text()
            attach.click()
            page.wait_for_load_state("load")
            main = page.locator("main").inner_text()
            assert "Attached: Parents and carers with an activated account" in main
            assert "Figures attached to this answer" in main and "attached on" in main
            assert_accessible(page, "aspect with attached evidence")
        page.locator("input[name=level][value='3']").check()
        page.fill("#id_notes", f"Browser notes for {code}")
        page.get_by_role("button", name="Save and return to the review").click()
        page.wait_for_load_state("load")
        assert f"Aspect {code} saved" in page.locator("main").inner_text()
    assert "6 of 34 aspects have a level" in page.locator("main").inner_text()
    # The figure stayed with the answer after the form was saved.
    page.goto(aspect_url)
    assert "Figures attached to this answer" in page.locator("main").inner_text()
    assert page.locator("#id_notes").input_value() == "Browser notes for 1c-2"

    handset = phone(chromium, live_demo)
    try:
        small = handset.new_page()
        sign_in(small, live_demo, "demo.head", check_a11y=False)
        small.goto(aspect_url)
        assert_accessible(small, "aspect with evidence on a phone")
        assert_no_sideways_scroll(small, "aspect with evidence")
    finally:
        handset.close()
