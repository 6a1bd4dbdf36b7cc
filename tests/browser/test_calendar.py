"""The calendar in a real browser on a phone (390x844), as a new learner would use it: "What's coming up"
on the home page leads to the week, a list per day with a heading each; the next week and the date picker
(a plain form, no script needed) move the week. Every page passes axe-core and none scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}

# Homework due in two days for one of demo.learner's classes (so the week is not empty); prints its title and
# the due day.
SETUP = """
import datetime
from django.utils import timezone
from commonroom.identity.models import User
from commonroom.learning.models import Assignment
from commonroom.people.models import GroupMembership
from commonroom.common.dates import in_force, today
learner = User.objects.get(username="demo.learner").person_id
membership = GroupMembership.objects.filter(in_force(on=today()), learner_id=learner, group__kind="teaching").select_related("group").first()
due = timezone.localtime(timezone.now() + datetime.timedelta(days=2)).replace(hour=16, minute=0, second=0, microsecond=0)
Assignment.objects.get_or_create(institution_id=membership.group.institution_id, group=membership.group,
                                 title="Calendar check homework", defaults={"state": "set", "due_at": due})
print(due.date().isoformat())
"""




def test_learner_sees_the_week_on_a_phone(chromium: Any, live_demo: LiveDemo) -> None:
    import datetime

    due = datetime.date.fromisoformat(live_demo.manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1])
    context = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.learner", check_a11y=False)
        page.goto("/")
        coming = page.locator("section[aria-labelledby=coming-up-heading]")
        assert "Calendar check homework" in coming.inner_text()
        assert_accessible(page, "home with what's coming up")
        coming.get_by_role("link", name="See your week").click()
        page.wait_for_load_state("load")
        assert_accessible(page, "calendar week")
        assert_no_sideways_scroll(page, "calendar week")
        headings = page.locator("main h2.govuk-heading-m").all_inner_texts()
        assert len(headings) == 7
        if due.isoformat() in [page.locator("main h2.govuk-heading-m").nth(i).get_attribute("id")[4:] for i in range(7)]:
            day = page.locator(f"section[aria-labelledby=day-{due.isoformat()}]")
            assert "Calendar check homework" in day.inner_text() and "Due at 4pm" in day.inner_text()
        page.get_by_role("link", name="Next week").click()
        page.wait_for_load_state("load")
        assert "date=" in page.url
        assert_accessible(page, "calendar next week")
        page.get_by_label("Go to the week of").fill(due.isoformat())
        page.get_by_role("button", name="Show that week").click()
        page.wait_for_load_state("load")
        day = page.locator(f"section[aria-labelledby=day-{due.isoformat()}]")
        assert "Calendar check homework" in day.inner_text() and "Due at 4pm" in day.inner_text()
        page.goto("/calendar/week/?date=2026-02-30")
        assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
        assert_accessible(page, "calendar with a bad date")
    finally:
        context.close()
