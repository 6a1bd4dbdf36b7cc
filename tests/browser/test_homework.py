"""Homework in a real browser on a phone (390x844), tried as a new user would: a teacher sets homework
from their class's course space, a learner of the class finds it on their to-do list and hands it in; the
teacher marks it one by one from the marks grid, attaching an annotated file, and returns the work; the
learner sees the mark and feedback and downloads the file. Every page passes axe-core and none scrolls
sideways."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}

# The demo learner joins one of the demo teacher's teaching groups (the demo does not promise they meet);
# prints that group's id and a due date a week after the server's today.
SETUP = """
import datetime
from commonroom.identity.models import User
from commonroom.people.models import GroupMembership, GroupStaff
from commonroom.common.dates import today
teacher = User.objects.get(username="demo.teacher").person_id
learner = User.objects.get(username="demo.learner").person_id
staff = GroupStaff.objects.filter(person_id=teacher, role="teacher", group__kind="teaching").select_related("group").first()
group = staff.group
if not GroupMembership.objects.filter(group=group, learner_id=learner, end_date__isnull=True).exists():
    GroupMembership.objects.create(institution_id=group.institution_id, group=group, learner_id=learner,
                                   start_date=today() - datetime.timedelta(days=1))
print(User.objects.get(username="demo.learner").person.full_name)
print(group.pk, (today() + datetime.timedelta(days=7)).isoformat(), group.name)
"""
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_teacher_sets_homework_and_learner_hands_it_in_on_a_phone(chromium: Any, live_demo: LiveDemo) -> None:
    lines = live_demo.manage("shell", "-c", SETUP).stdout.strip().splitlines()
    learner_name = lines[-2]
    _group_id, due, group_name = lines[-1].split(" ", 2)
    teacher = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = teacher.new_page()
        sign_in(page, live_demo, "demo.teacher", check_a11y=False)
        page.goto("/courses/")
        assert_accessible(page, "my course spaces")
        page.get_by_role("link", name=group_name, exact=True).click()
        page.wait_for_load_state("load")
        assert_accessible(page, "course space")
        assert_no_sideways_scroll(page, "course space")
        page.get_by_role("link", name="Set homework").click()
        page.wait_for_load_state("load")
        page.get_by_label("Find resources to attach").fill("zzzz no such resource")
        page.get_by_role("button", name="Search", exact=True).click()  # a plain GET form: nothing found, nothing listed
        page.wait_for_load_state("load")
        assert page.locator("input[name=resources]").count() == 0
        page.get_by_label("Find resources to attach").fill("")
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_load_state("load")
        page.get_by_role("button", name="Set homework").click()  # nothing filled in: errors, said where
        page.wait_for_load_state("load")
        assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
        assert_accessible(page, "homework form with errors")
        page.get_by_label("Title").fill("Fractions worksheet")
        page.get_by_label("Instructions").fill("Answer questions 1 to 10.\nShow your working.")
        page.get_by_label("Due date").fill(due)
        page.get_by_label("Due time").fill("08:30")
        page.get_by_label("Or a mark out of").fill("10")
        box = page.locator("input[name=resources]").first  # the teacher's bank at the school, best rated first
        resource_label = page.locator(f"label[for='{box.get_attribute('id')}']").inner_text().strip()
        resource_title = resource_label.rsplit(" (", 1)[0]
        box.check()
        page.get_by_role("button", name="Set homework").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Fractions worksheet"
        assert "Homework set." in page.locator("main").inner_text()
        assert page.get_by_role("link", name=resource_title, exact=True).count() == 1
        assert_accessible(page, "homework page (teacher)")
        assert_no_sideways_scroll(page, "homework page (teacher)")
        homework_url = page.url
    finally:
        teacher.close()

    learner = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = learner.new_page()
        sign_in(page, live_demo, "demo.learner", check_a11y=False)
        page.goto("/homework/")
        assert_accessible(page, "to-do list")
        row = page.locator("main table tbody tr").filter(has_text="Fractions worksheet")
        assert "To do" in row.inner_text()
        row.get_by_role("link", name="Fractions worksheet").click()
        page.wait_for_load_state("load")
        assert "Show your working." in page.locator("main").inner_text()
        assert_accessible(page, "homework page (learner)")
        assert_no_sideways_scroll(page, "homework page (learner)")
        page.get_by_role("link", name=resource_title, exact=True).click()  # the teacher's resource, through authz
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text().strip() == resource_title
        page.go_back()
        page.wait_for_load_state("load")
        page.get_by_label("Your answer").fill("1) 3/4  2) 5/8")
        page.get_by_role("button", name="Hand in").click()
        page.wait_for_load_state("load")
        assert "Your work has been handed in." in page.locator("main").inner_text()
        assert page.get_by_role("button", name="Hand in again").count() == 1
        assert_accessible(page, "handed in")
        page.goto("/homework/")
        assert "Handed in" in page.locator("main table tbody tr").filter(has_text="Fractions worksheet").inner_text()
    finally:
        learner.close()

    # The teacher marks the work one by one, with an annotated file, and returns it to everyone.
    teacher = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = teacher.new_page()
        sign_in(page, live_demo, "demo.teacher", check_a11y=False)
        page.goto(homework_url)
        page.get_by_role("link", name="Mark", exact=True).click()
        page.wait_for_load_state("load")
        assert_accessible(page, "marks grid")
        page.get_by_role("link", name=f"{learner_name} (mark one by one)").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == learner_name
        assert "1) 3/4" in page.locator("main").inner_text()
        assert_accessible(page, "mark one by one")
        assert_no_sideways_scroll(page, "mark one by one")
        page.get_by_label("Mark", exact=True).fill("11")  # out of 10: refused, said where
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_load_state("load")
        assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
        assert_accessible(page, "mark one by one with errors")
        page.get_by_label("Mark", exact=True).fill("8")
        page.get_by_label("Written feedback").fill("Good. Check question 2.")
        page.get_by_label("Annotated feedback file (optional)").set_input_files(
            {"name": "Marked fractions.pdf", "mimeType": "application/pdf", "buffer": PDF})
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_load_state("load")
        assert f"Saved for {learner_name}." in page.locator("main").inner_text()
        assert "Marked fractions.pdf" in page.locator("main").inner_text()
        page.get_by_role("link", name="Back to the marks grid").click()
        page.wait_for_load_state("load")
        page.get_by_role("button", name="Return work to everyone").click()
        page.wait_for_load_state("load")
        assert "Work returned" in page.locator("main").inner_text()
    finally:
        teacher.close()

    learner = phone(chromium, live_demo, viewport=PHONE,
                                   accept_downloads=True)
    try:
        page = learner.new_page()
        sign_in(page, live_demo, "demo.learner", check_a11y=False)
        page.goto("/homework/")
        row = page.locator("main table tbody tr").filter(has_text="Fractions worksheet")
        assert "Returned" in row.inner_text() and "8 / 10" in row.inner_text()
        assert row.get_by_role("link", name="Feedback file").count() == 1
        row.get_by_role("link", name="Fractions worksheet", exact=True).click()
        page.wait_for_load_state("load")
        main = page.locator("main").inner_text()
        assert "Good. Check question 2." in main
        assert_accessible(page, "returned homework (learner)")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download your teacher's feedback file (Marked fractions.pdf)").click()
        assert download.value.suggested_filename == "Marked fractions.pdf"
        with open(download.value.path(), "rb") as saved:
            assert saved.read() == PDF
    finally:
        learner.close()
