"""Absence reports in a real browser on a phone: the demo parent reports a child ill, the head (office) confirms it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser


def _institution_pk(live_demo: LiveDemo, name: str) -> int:
    script = (
        "import json\nfrom commonroom.organisations.models import Institution\n"
        f"print('PK ' + json.dumps(Institution.objects.get(name={name!r}).pk))\n"
    )
    result = live_demo.manage("shell", "-c", script, timeout=120)
    line = next(line for line in reversed(result.stdout.splitlines()) if line.startswith("PK "))
    return int(json.loads(line[3:]))


def test_parent_reports_an_absence_and_the_office_confirms_it_on_a_phone(
    chromium: Any, live_demo: LiveDemo, demo_facts: dict[str, Any]
) -> None:
    school = live_demo.account("demo.head").institution
    child = next((c for c in demo_facts["parent_children"] if school in c["institutions"]), None)
    assert child, f"the demo parent should have a child at {school}"
    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.parent", check_a11y=False)
        page.goto(f"/children/{child['pk']}/absence/")
        assert_accessible(page, "absence form on a phone")
        assert_no_sideways_scroll(page, "absence form")
        if page.locator("select[name=institution]").count():
            page.locator("select[name=institution]").select_option(label=school)
        # A planned absence without a reason: the error is at the field and the note is kept.
        page.get_by_role("radio", name="Planned absence").check()
        page.get_by_label("Anything the school should know").fill("Temperature since last night")
        page.get_by_role("button", name="Send to the school").click()
        page.wait_for_load_state("load")
        assert "Choose the reason" in page.locator(".govuk-error-summary").inner_text()
        assert page.get_by_label("Anything the school should know").input_value() == "Temperature since last night"
        assert_accessible(page, "absence form with errors")
        page.get_by_role("radio", name="Ill today").check()
        page.get_by_role("button", name="Send to the school").click()
        page.wait_for_load_state("load")
        main = page.locator("main").inner_text()
        assert "the school has your report" in main and "Waiting for the school" in main
        assert_accessible(page, "parent's absence reports")
        assert_no_sideways_scroll(page, "parent's absence reports")
    finally:
        context.close()

    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.head", check_a11y=False)
        page.goto(f"/institutions/{_institution_pk(live_demo, school)}/absence-reports/")
        assert_accessible(page, "absence queue on a phone")
        assert_no_sideways_scroll(page, "absence queue")
        page.get_by_role("link", name=f"Confirm or decline the report for {child['name']}").first.click()
        page.wait_for_load_state("load")
        assert page.locator("select[name=code]").input_value() == "I"
        assert_accessible(page, "absence decision on a phone")
        if page.locator("input[name=replace_present]").count() and page.locator(".govuk-warning-text").count():
            page.get_by_label("Replace sessions already marked present").check()
        page.get_by_role("button", name="Confirm the absence").click()
        page.wait_for_load_state("load")
        assert "Absence confirmed" in page.locator("main").inner_text()
    finally:
        context.close()

    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.parent", check_a11y=False)
        page.goto("/account/absence-reports/")
        assert "Confirmed by the school" in page.locator("main").inner_text()
    finally:
        context.close()
