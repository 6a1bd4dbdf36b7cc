"""Assessment, SEN and written reports in a real browser, tried as a new user would: a teacher fills a
marksheet on a tablet (a bad grade is refused at its box), the head writes, proof-reads and previews a
report, a parent reads a published report and downloads its PDF. Every page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import PHONE, assert_accessible, assert_no_sideways_scroll, sign_in

pytestmark = pytest.mark.browser
TABLET = {"width": 820, "height": 1180}


def test_teacher_fills_a_marksheet_on_a_tablet(chromium: Any, live_demo: LiveDemo) -> None:
    context = chromium.new_context(base_url=live_demo.base_url, viewport=TABLET, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.teacher", check_a11y=False)
        page.get_by_role("link", name="Assessment", exact=True).first.click()
        page.wait_for_load_state("load")
        assert_accessible(page, "assessment home")
        page.locator("main table a").first.click()
        page.wait_for_load_state("load")
        assert_accessible(page, "empty marksheet")
        boxes = page.locator("main table input.cr-grade")
        assert boxes.count() >= 3, "the marksheet has no boxes"
        # Keyboard: type in the first box, Tab to the next, type there too.
        boxes.nth(0).click()
        page.keyboard.type("zz")
        page.keyboard.press("Tab")
        page.keyboard.type("2")
        page.get_by_role("button", name="Save grades").click()
        page.wait_for_load_state("load")
        assert "is not in" in page.locator(".govuk-error-summary").inner_text()
        assert page.locator("main table .govuk-error-message").count() == 1
        assert_accessible(page, "marksheet with an error")
        boxes.nth(0).fill("1")
        page.get_by_role("button", name="Save grades").click()
        page.wait_for_load_state("load")
        assert "Grades saved: 2 new" in page.locator("main").inner_text(), page.locator("main").inner_text()[:500]
        assert boxes.nth(0).input_value() == "1"
    finally:
        context.close()


def test_marksheet_and_progress_on_a_phone_without_javascript(chromium: Any, live_demo: LiveDemo) -> None:
    context = chromium.new_context(base_url=live_demo.base_url, viewport=PHONE, is_mobile=True, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.head", check_a11y=False)
        page.goto("/assessment/")
        page.locator("main a[href$='/progress/']").first.click()  # progress across the school
        page.wait_for_load_state("load")
        assert "Progress by subject" in page.locator("h1").inner_text()
        assert page.locator("main table tbody tr").count() > 0
        assert_no_sideways_scroll(page, "progress by subject")
        page.locator("main ul a").first.click()  # a teaching group's progress
        page.wait_for_load_state("load")
        assert "Progress in" in page.locator("h1").inner_text()
        page.locator("main ul a").last.click()  # its marksheet at an open point, saved without JavaScript
        page.wait_for_load_state("load")
        assert_no_sideways_scroll(page, "marksheet on a phone (the grid scrolls inside its own region)")
        page.get_by_role("button", name="Save grades").click()
        page.wait_for_load_state("load")
        assert "Grades saved" in page.locator("main").inner_text()
    finally:
        context.close()


def test_senco_reads_the_register_and_a_learner(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.senco", check_a11y=False)
    page.goto("/assessment/")
    page.locator("main a[href$='/sen/']").first.click()
    page.wait_for_load_state("load")
    assert "SEN register" in page.locator("h1").inner_text()
    assert_accessible(page, "SEN register")
    page.locator("main table tbody a").first.click()
    page.wait_for_load_state("load")
    assert "Support plan in full" in page.locator("main").inner_text()
    assert_accessible(page, "a learner's SEN")


def test_head_writes_proofreads_and_previews_a_report(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.head", check_a11y=False)
    page.get_by_role("link", name="Reports", exact=True).first.click()
    page.wait_for_load_state("load")
    assert_accessible(page, "reports home")
    page.locator("main a", has_text="spring report").first.click()
    page.wait_for_load_state("load")
    assert_accessible(page, "report cycle")
    page.locator("main table a").first.click()
    page.wait_for_load_state("load")
    assert_accessible(page, "writing comments")
    box = page.locator("main textarea").first
    box.fill("{name} has worked well; {their} target is {target}.")
    page.get_by_role("button", name="Save and send for checking").click()
    page.wait_for_load_state("load")
    assert "Comments saved" in page.locator("main").inner_text()
    preview = page.locator("main .cr-comment").first.inner_text()
    assert "{name}" not in preview.split("As the report shows it:")[-1]
    # A wrong placeholder is refused at the learner.
    box.fill("{nmae} is keen.")
    page.get_by_role("button", name="Save drafts").click()
    page.wait_for_load_state("load")
    assert "Unknown placeholder {nmae}" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "comment with an error")
    page.go_back()
    page.goto(page.url.split("/groups/")[0] + "/proofread/")
    assert_accessible(page, "proof-reading")
    page.locator("main input[type=radio][value=checked]").first.check()
    page.get_by_role("button", name="Save decisions").click()
    page.wait_for_load_state("load")
    assert "checked" in page.locator("main").inner_text()


def test_parent_reads_a_published_report_and_its_pdf(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.parent", check_a11y=False)
    page.goto("/learners/")
    children = page.locator("main table tbody a")
    found = False
    for index in range(children.count()):
        page.goto("/learners/")
        page.locator("main table tbody a").nth(index).click()
        page.get_by_role("link", name="Written reports").click()
        page.wait_for_load_state("load")
        if page.locator("main ul a").count():
            found = True
            break
    assert found, "none of the demo parent's children has a published report"
    assert_accessible(page, "a learner's reports")
    page.locator("main ul a").first.click()
    page.wait_for_load_state("load")
    assert_accessible(page, "a published report")
    assert "Demo data: generated" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
