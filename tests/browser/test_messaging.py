"""A parent on a phone writes to the school and reads a message sent to their child's form's parents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser

SEND_BROADCAST = """
import json
from commonroom.authz.actor import Actor
from commonroom.authz.models import RoleAssignment
from commonroom.common.dates import in_force
from commonroom.identity.models import User
from commonroom.messaging.services import broadcast_send
from commonroom.people.models import ContactLink, GroupMembership

parent = User.objects.get(username="demo.parent").person
link = ContactLink.objects.filter(in_force(), contact=parent, access_barred=False).order_by("pk").first()
membership = GroupMembership.objects.filter(in_force(), learner=link.learner, group__kind="registration").select_related(
    "group__institution").first()
office = RoleAssignment.objects.filter(in_force(), institution=membership.institution, role__in=["office", "head"]).first()
actor = Actor(person_id=office.person_id, label="office")
broadcast = broadcast_send(actor=actor, institution=membership.group.institution, group=membership.group,
                           subject="Browser trip letter", body="Bring a coat.\\nSee https://example.org/trip")
print("SENT " + json.dumps({"id": broadcast.pk}))
"""


def test_parent_on_a_phone_writes_to_school_and_reads_a_broadcast(chromium: Any, live_demo: LiveDemo) -> None:
    result = live_demo.manage("shell", "-c", SEND_BROADCAST, timeout=120)
    sent = next(json.loads(line[5:]) for line in result.stdout.splitlines() if line.startswith("SENT "))
    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.parent", check_a11y=False)
        page.goto("/messages/")
        assert page.locator("h1").inner_text() == "Messages"
        assert_accessible(page, "parent messages")
        assert_no_sideways_scroll(page, "parent messages")
        page.get_by_role("link", name="Write to the school").click()
        page.wait_for_load_state("load")
        assert_accessible(page, "write to the school")
        assert_no_sideways_scroll(page, "write to the school")
        # Sending with no subject keeps what was typed and says what is wrong, at the field.
        page.locator("input[name=child]").first.check()
        page.get_by_label("School office").check()
        page.get_by_label("Your message").fill("Could my child leave at 1:30 on Thursday?")
        page.get_by_role("button", name="Send message").click()
        page.wait_for_load_state("load")
        assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
        assert page.get_by_label("Your message").input_value() == "Could my child leave at 1:30 on Thursday?"
        page.get_by_label("Subject").fill("Dentist on Thursday")
        page.get_by_role("button", name="Send message").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Dentist on Thursday"
        assert "Your message has been sent" in page.content()
        assert_accessible(page, "conversation")
        assert_no_sideways_scroll(page, "conversation")
        page.goto("/messages/")
        item = page.locator("li", has=page.get_by_role("link", name="Browser trip letter"))
        assert "New" in item.inner_text()
        page.get_by_role("link", name="Browser trip letter").click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/messages/broadcasts/{sent['id']}/")
        assert "Bring a coat." in page.locator("main").inner_text()
        assert page.locator("main a[href='https://example.org/trip']").count() == 0  # links are text by default
        assert_accessible(page, "broadcast")
        assert_no_sideways_scroll(page, "broadcast")
        page.goto("/messages/")
        item = page.locator("li", has=page.get_by_role("link", name="Browser trip letter"))
        assert "New" not in item.inner_text()
        assert page.get_by_role("link", name="Dentist on Thursday").count() == 1
    finally:
        context.close()
