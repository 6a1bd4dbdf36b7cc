"""The parent portal on a phone: the demo parent (one child at the primary, one at the secondary) signs in,
sees both children each with their own school, opens each child's page and makes a calendar address.
Every page passes axe-core (no serious or critical violations)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, sign_in
from .test_roles import section

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_parent_of_two_on_a_phone(chromium: Any, live_demo: LiveDemo, demo_facts: dict[str, Any]) -> None:
    children = demo_facts["parent_children"]
    assert len(children) == 2 and children[0]["institutions"] != children[1]["institutions"], children
    context = chromium.new_context(base_url=live_demo.base_url, viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.parent")
        panel = section(page, "Your children")
        for child in children:
            card = panel.locator(".govuk-summary-card").filter(has=page.get_by_role("heading", level=3, name=child["name"], exact=True))
            assert card.count() == 1, child
            assert child["institutions"][0] in card.inner_text()
        assert_accessible(page, "home")
        panel.get_by_role("link", name="All your children").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Your children"
        assert_accessible(page, "your children")
        for child in children:
            page.goto("/children/")
            page.get_by_role("link", name=child["name"], exact=True).click()
            page.wait_for_load_state("load")
            assert page.locator("h1").inner_text() == child["name"]
            main = page.locator("main").inner_text()
            school = child["institutions"][0]
            assert page.get_by_role("heading", level=2, name=school, exact=True).count() == 1
            others = [c["institutions"][0] for c in children if c is not child]
            assert all(other not in main for other in others), f"{child['name']}'s page names another child's school"
            for heading in ("Attendance", "Behaviour and rewards", "Progress against targets", "Reports", "Coming up"):
                assert page.get_by_role("heading", level=3, name=heading, exact=True).count() == 1, heading
            assert page.locator("main svg.cr-chart__svg").count() == 1
            # Phone first: nothing wider than the screen.
            width = page.evaluate("document.documentElement.scrollWidth")
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.cr-table-scroll'))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))""")
            assert width <= PHONE["width"] + 1, f"the page scrolls sideways on a phone ({width}px): {wide}"
            assert_accessible(page, f"child page of {child['name']}")
        page.goto("/account/calendar/")
        page.get_by_role("button", name="Make my calendar address").click()
        page.wait_for_load_state("load")
        url = page.locator("#calendar-url").input_value()
        assert url.endswith(".ics") and "/calendar/" in url
        assert_accessible(page, "calendar address")
        feed = context.request.get(url)
        assert feed.status == 200 and b"BEGIN:VCALENDAR" in feed.body()
    finally:
        context.close()
