"""QTI in a real browser on a phone (390x844), as a new teacher would try it: from the question bank to the
import page; a hostile package (an external entity) is refused with a message naming the file and line and
nothing is imported; a good package goes in with a draft quiz; the export page downloads the chosen questions.
Every page passes axe-core and none scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from commonroom.quizzes.qti import export_package, read_package
from commonroom.quizzes.spec import QuestionSpec

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}

QUESTIONS = [
    QuestionSpec("true_false", "A right angle is 90 degrees.", {"correct": True}, identifier="qti-browser-1"),
    QuestionSpec("numeric", "What is 7 / 2?", {"answer": 3.5, "tolerance": 0.05}, identifier="qti-browser-2"),
]
HOSTILE = b"""<?xml version="1.0"?>
<!DOCTYPE assessmentItem [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x"><itemBody><p>&secret;</p></itemBody>
</assessmentItem>"""




def test_teacher_imports_and_exports_qti_on_a_phone(chromium: Any, live_demo: LiveDemo, tmp_path: Any) -> None:
    hostile = tmp_path / "evil.xml"
    hostile.write_bytes(HOSTILE)
    good = tmp_path / "angles.zip"
    good.write_bytes(export_package(QUESTIONS, "Angles and halves"))
    context = phone(chromium, live_demo, viewport=PHONE,
                                   accept_downloads=True)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.teacher", check_a11y=False)
        page.goto("/questions/")
        page.get_by_role("link", name="Import from QTI").click()
        page.wait_for_load_state("load")
        assert_accessible(page, "QTI import")
        assert_no_sideways_scroll(page, "QTI import")
        page.get_by_label("QTI package or item").set_input_files(str(hostile))
        page.get_by_role("button", name="Import").click()
        page.wait_for_load_state("load")
        summary = page.locator(".govuk-error-summary").inner_text()
        assert "nothing was imported" in summary
        assert "evil.xml, line 2: the file has a document type declaration" in summary
        assert "root:" not in page.content()
        assert_accessible(page, "QTI import refused")
        assert_no_sideways_scroll(page, "QTI import refused")
        page.get_by_label("QTI package or item").set_input_files(str(good))
        page.get_by_label("Also make a draft quiz for").select_option(index=1)
        page.get_by_role("button", name="Import").click()
        page.wait_for_load_state("load")
        main = page.locator("main").inner_text()
        assert "2 questions imported" in main
        assert "Angles and halves" in main
        assert_accessible(page, "QTI imported")
        assert_no_sideways_scroll(page, "QTI imported")
        page.goto("/quizzes/qti/export/")
        assert_accessible(page, "QTI export")
        assert_no_sideways_scroll(page, "QTI export")
        page.get_by_role("checkbox", name="What is 7 / 2?").first.check()
        page.get_by_label("Title of the package").fill("Halves")
        page.get_by_role("radio", name="QTI 2.1 (most widely read)").check()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the QTI package").click()
        path = download.value.path()
        assert download.value.suggested_filename == "halves-qti21.zip"
        with open(path, "rb") as handle:
            result = read_package(handle.read(), "halves.zip")
        assert result.version == "2.1" and result.questions == [QUESTIONS[1]]
    finally:
        context.close()
