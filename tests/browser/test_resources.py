"""Shared resources in a real browser, tried as a new user would: the demo teacher makes a page and
shares it with the local authority; a teacher at another school of the authority finds it by searching,
rates it and copies it into a section of their own course space, where it shows with its credit.
Every page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

# A teacher of a teaching group at another school of the demo teacher's authority gets an account
# (username browser.copier, the demo teacher's password); prints the group's name.
SETUP = """
from commonroom.identity.models import User
from commonroom.learning.models import CourseSpace, Section
from commonroom.organisations.models import Institution
from commonroom.people.models import GroupStaff
from commonroom.authz.models import RoleAssignment
teacher = User.objects.get(username="demo.teacher")
home = RoleAssignment.objects.filter(person_id=teacher.person_id, role="teacher").values_list("institution_id", flat=True).first()
authority = Institution.objects.get(pk=home).local_authority_id
staff = (GroupStaff.objects.filter(role="teacher", group__kind="teaching", group__institution__local_authority_id=authority,
                                   end_date__isnull=True)
         .exclude(group__institution_id=home).exclude(person__account__isnull=False).select_related("group").first())
Institution.objects.filter(pk=staff.group.institution_id).update(require_staff_second_factor=False)
User.objects.create(username="browser.copier", person_id=staff.person_id, password=teacher.password)
space, _ = CourseSpace.objects.get_or_create(group=staff.group, defaults={"institution_id": staff.group.institution_id})
if not Section.objects.filter(space=space, title="Week 1").exists():
    Section.objects.create(institution_id=space.institution_id, space=space, position=0, title="Week 1")
print(staff.group.name)
"""
TITLE = "Fractions starters for the browser"


def test_a_teacher_shares_a_page_and_another_schools_teacher_rates_and_copies_it(chromium: Any, live_demo: LiveDemo) -> None:
    group_name = live_demo.manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1]
    author = chromium.new_context(base_url=live_demo.base_url)
    try:
        page = author.new_page()
        sign_in(page, live_demo, "demo.teacher", check_a11y=False)
        page.goto("/resources/")
        assert_accessible(page, "resource search")
        page.get_by_role("link", name="Make a resource").click()
        page.wait_for_load_state("load")
        page.get_by_role("button", name="Save").click()  # nothing filled in: errors, said where
        page.wait_for_load_state("load")
        assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
        assert_accessible(page, "resource form with errors")
        page.get_by_label("Title").fill(TITLE)
        page.get_by_label("Subject").fill("Mathematics")
        page.get_by_label("Topic").fill("Fractions")
        page.get_by_label("Page", exact=True).check()
        page.get_by_label("The page").fill('<h2>Starters</h2><p onclick="alert(1)">Halve 12.</p><script>alert(2)</script>')
        page.get_by_label("My local authority").check()
        page.get_by_role("button", name="Save").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == TITLE
        preview = page.locator(".cr-resource-page")
        assert preview.inner_text().strip().startswith("Starters") and "Halve 12." in preview.inner_text()
        assert preview.locator("script").count() == 0 and preview.locator("[onclick]").count() == 0
        assert_accessible(page, "resource page (author)")
    finally:
        author.close()

    copier = chromium.new_context(base_url=live_demo.base_url)
    try:
        page = copier.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_login", "browser.copier")
        page.fill("#id_password", live_demo.account("demo.teacher").password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state("load")
        page.goto("/resources/")
        page.get_by_label("Words").fill("fractions starters")
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state("load")
        assert_accessible(page, "search results")
        page.get_by_role("link", name=TITLE).click()
        page.wait_for_load_state("load")
        assert "Not rated yet" in page.locator("#rating-summary").inner_text()
        assert_accessible(page, "resource page (another school)")
        page.get_by_label("4 out of 5").check()
        page.get_by_role("button", name="Save my rating").click()
        page.wait_for_load_state("load")
        assert page.locator("#rating-summary").inner_text().strip() == "4.0 out of 5 from 1 rating"
        page.get_by_label("Copy into").select_option(label=f"{group_name}: Week 1")
        page.get_by_role("button", name="Copy", exact=True).click()
        page.wait_for_load_state("load")
        assert "Copied into Week 1" in page.locator("main").inner_text()
        credit = page.locator(".cr-credit").inner_text()
        assert credit.startswith(f"Adapted from ‘{TITLE}’ by ") and "(the original)" in credit
        assert_accessible(page, "the copy")
        page.goto("/courses/")
        page.get_by_role("link", name=group_name, exact=True).click()
        page.wait_for_load_state("load")
        week = page.locator("main section").filter(has=page.get_by_role("heading", name="Week 1", exact=True))
        assert TITLE in week.inner_text() and "Adapted from" in week.inner_text()
        assert_accessible(page, "course space with the copied resource")
    finally:
        copier.close()
