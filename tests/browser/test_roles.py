"""Each demo account signs in through a real browser and sees the right people; every page passes axe-core.

Accessibility bar: no axe-core violation of impact "serious" or "critical" on any page visited.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser

# The accounts `manage.py demo` writes (its CSV is read by the live_demo fixture; a test below checks
# that the file has exactly these rows, so this list cannot drift from the generator silently).
DEMO_USERNAMES = [
    "demo.learner",
    "demo.parent",
    "demo.teacher",
    "demo.tutor",
    "demo.senco",
    "demo.head",
    "demo.office",
    "demo.officer",
    "demo.admin",
    "demo.barred",
    "demo.governor",
    "demo.assessor",
]


# Helpers -----------------------------------------------------------------------------------------


def assert_on_home(page: Any, live_demo: LiveDemo) -> None:
    assert page.url == f"{live_demo.base_url}/", f"expected the home page after signing in, got {page.url}"
    assert page.locator("h1").first.inner_text().startswith("Hello")


def section(page: Any, heading: str) -> Any:
    """The <section> of the home page whose h2 is ``heading`` (exactly)."""
    return page.locator("main section").filter(has=page.get_by_role("heading", level=2, name=heading, exact=True))


def h2_texts(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("main h2").all_inner_texts()]


# Role expectations for the home page ---------------------------------------------------------------


def expect_learner(page: Any, live_demo: LiveDemo, facts: dict[str, Any]) -> None:
    own = section(page, "Your school")
    assert own.count() == 1, f"learner home has no 'Your school' section; h2s: {h2_texts(page)}"
    assert live_demo.account("demo.learner").institution in own.inner_text()
    assert "Your children" not in h2_texts(page)


def expect_parent(page: Any, live_demo: LiveDemo, facts: dict[str, Any]) -> None:
    children = section(page, "Your children")
    assert children.count() == 1, f"parent home has no 'Your children' section; h2s: {h2_texts(page)}"
    expected = facts["parent_children"]
    assert expected, "the demo parent should have at least one child"
    cards = children.locator(".govuk-summary-card")
    assert cards.count() == len(expected), f"expected {len(expected)} children, saw {cards.count()}"
    for child in expected:
        card = cards.filter(has=page.get_by_role("heading", level=3, name=child["name"], exact=True))
        assert card.count() == 1, f"no card for child {child['name']!r}"
        text = card.inner_text()
        for institution in child["institutions"]:
            assert institution in text, f"{child['name']}'s card does not name {institution!r}: {text!r}"


def expect_group_staff(page: Any, live_demo: LiveDemo, facts: dict[str, Any]) -> None:
    groups = section(page, "Your groups")
    assert groups.count() == 1, f"no 'Your groups' section; h2s: {h2_texts(page)}"
    table = groups.locator("table")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert "Learners" in headers, headers
    rows = table.locator("tbody tr")
    assert rows.count() > 0, "the groups table is empty"
    column = headers.index("Learners")
    counts = [int(row.locator("td").nth(column).inner_text().strip()) for row in rows.all()]
    assert any(count > 0 for count in counts), f"every group has 0 learners: {counts}"
    assert groups.locator("a[href^='/learners/']").count() > 0, "no learner links under 'Learners you can open'"


def expect_institution_leader(username: str) -> Any:
    def check(page: Any, live_demo: LiveDemo, facts: dict[str, Any]) -> None:
        institution = live_demo.account(username).institution
        panel = section(page, institution)
        assert panel.count() == 1, f"no section headed {institution!r}; h2s: {h2_texts(page)}"
        assert panel.locator("caption", has_text="Learners by year group").count() == 1
        assert panel.locator("tbody tr").count() > 0

    return check


def expect_officer(page: Any, live_demo: LiveDemo, facts: dict[str, Any]) -> None:
    authority = live_demo.account("demo.officer").institution
    panel = section(page, authority)
    assert panel.count() == 1, f"no section headed {authority!r}; h2s: {h2_texts(page)}"
    assert panel.locator("caption", has_text="Learners by phase").count() == 1
    assert panel.locator("a[href^='/institutions/']").count() > 0, "no institutions listed for the officer"


def expect_admin(page: Any, live_demo: LiveDemo, facts: dict[str, Any]) -> None:
    assert section(page, "Platform administration").count() == 1, f"h2s: {h2_texts(page)}"
    assert page.locator("main a[href='/manage/']").count() == 1


def expect_barred(page: Any, live_demo: LiveDemo, facts: dict[str, Any]) -> None:
    barred = facts["barred_children"]
    assert barred, "the demo's barred parent should have a barred link to a child"
    main_text = page.locator("main").inner_text()
    for child in barred:
        assert child["name"] not in main_text, f"the barred parent can see their barred child {child['name']!r}"
    if not facts["barred_allowed_children"]:
        assert "Your children" not in h2_texts(page), "a barred parent with no other child sees 'Your children'"


def expect_governor(page: Any, live_demo: LiveDemo, facts: dict[str, Any]) -> None:
    """A governor reads the school's self-reviews (and nothing about learners)."""
    page.goto("/self-review/")
    rows = page.locator("main table tbody tr a[href^='/self-review/reviews/']")
    assert rows.count() >= 1, "the governor sees no self-review"


def expect_assessor(page: Any, live_demo: LiveDemo, facts: dict[str, Any]) -> None:
    """An ICT Mark assessor sees the authority's institutions and their Charter stage."""
    page.goto("/self-review/charter/")
    assert page.locator("main table tbody tr a[href*='/charter/']").count() > 0, "no institutions for the assessor"


EXPECTATIONS = {
    "demo.learner": expect_learner,
    "demo.parent": expect_parent,
    "demo.teacher": expect_group_staff,
    "demo.tutor": expect_group_staff,
    "demo.senco": expect_institution_leader("demo.senco"),
    "demo.head": expect_institution_leader("demo.head"),
    "demo.office": expect_institution_leader("demo.office"),
    "demo.officer": expect_officer,
    "demo.admin": expect_admin,
    "demo.barred": expect_barred,
    "demo.governor": expect_governor,
    "demo.assessor": expect_assessor,
}


# Tests --------------------------------------------------------------------------------------------


def test_accounts_file_lists_every_demo_account(live_demo: LiveDemo) -> None:
    assert sorted(live_demo.accounts) == sorted(DEMO_USERNAMES)
    assert all(account.password for account in live_demo.accounts.values())


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_role_signs_in_and_sees_their_people(
    page: Any, live_demo: LiveDemo, demo_facts: dict[str, Any], username: str
) -> None:
    sign_in(page, live_demo, username)
    assert_on_home(page, live_demo)
    EXPECTATIONS[username](page, live_demo, demo_facts)
    if username != "demo.admin":
        assert "Platform administration" not in h2_texts(page)
    assert_accessible(page, f"home of {username}")

    for path in ("/account/", "/account/tokens/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        assert_accessible(page, f"{path} as {username}")


def test_teacher_opens_a_learner_profile(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.teacher", check_a11y=False)
    assert_on_home(page, live_demo)
    link = section(page, "Your groups").locator("ul a[href^='/learners/']").first
    name = link.inner_text().strip()
    link.click()
    page.wait_for_load_state("load")
    assert re.search(r"/learners/\d+/$", page.url), page.url
    assert page.get_by_text("UPN", exact=True).count() >= 1, "the learner profile shows no UPN row"
    family = name.split(",")[0].strip()
    assert family in page.locator("h1").inner_text(), f"profile heading does not name {name!r}"
    assert_accessible(page, "learner profile (teacher)")

    page.goto("/learners/")
    assert_accessible(page, "learner list (teacher)")

    page.goto("/")
    group_link = section(page, "Your groups").locator("table a[href^='/groups/']").first
    group_link.click()
    page.wait_for_load_state("load")
    assert re.search(r"/groups/\d+/$", page.url), page.url
    assert_accessible(page, "group page (teacher)")


def test_parent_opens_their_childs_profile(page: Any, live_demo: LiveDemo, demo_facts: dict[str, Any]) -> None:
    sign_in(page, live_demo, "demo.parent", check_a11y=False)
    child = demo_facts["parent_children"][0]["name"]
    section(page, "Your children").get_by_role("link", name=child, exact=True).click()
    page.wait_for_load_state("load")
    assert re.search(r"/children/\d+/$", page.url), page.url  # the child page (docs/parents.md)
    page.get_by_role("link", name="Details the school holds").click()
    page.wait_for_load_state("load")
    assert re.search(r"/learners/\d+/$", page.url), page.url
    assert "UPN" in page.locator("main").inner_text()
    assert_accessible(page, "child's profile (parent)")

    page.goto("/account/add-child/")
    assert_accessible(page, "add a child (parent)")


def test_barred_parent_cannot_open_the_barred_childs_profile(
    page: Any, live_demo: LiveDemo, demo_facts: dict[str, Any]
) -> None:
    sign_in(page, live_demo, "demo.barred", check_a11y=False)
    for child in demo_facts["barred_children"]:
        response = page.goto(f"/learners/{child['pk']}/")
        assert response is not None and response.status in (403, 404), (
            f"the barred parent opened /learners/{child['pk']}/: {response and response.status}"
        )
        assert child["name"] not in page.locator("body").inner_text()
        assert_accessible(page, "refused learner profile (barred parent)")


def test_admin_management_pages(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.admin", check_a11y=False)
    for path in ("/manage/", "/manage/accounts/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        assert_accessible(page, f"{path} (admin)")


def test_join_page_is_accessible(page: Any) -> None:
    response = page.goto("/join/")
    assert response is not None and response.status == 200
    assert_accessible(page, "join page (signed out)")


def test_parent_on_a_phone(chromium: Any, live_demo: LiveDemo, demo_facts: dict[str, Any]) -> None:
    context = phone(chromium, live_demo)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.parent")
        assert_no_sideways_scroll(page, "login page")
        assert_on_home(page, live_demo)
        expect_parent(page, live_demo, demo_facts)
        assert_accessible(page, "parent home on a phone")
        assert_no_sideways_scroll(page, "parent home")
    finally:
        context.close()




def test_sign_in_works_without_javascript(chromium: Any, live_demo: LiveDemo, demo_facts: dict[str, Any]) -> None:
    context = chromium.new_context(base_url=live_demo.base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_demo, "demo.parent", check_a11y=False)  # axe needs scripts; checked elsewhere
        assert_on_home(page, live_demo)
        expect_parent(page, live_demo, demo_facts)
    finally:
        context.close()


def test_wrong_password_shows_the_error_summary_and_the_error_at_the_form(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.learner", password="not-the-password", check_a11y=False)
    assert page.url == f"{live_demo.base_url}/accounts/login/"
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1
    assert "There is a problem" in summary.inner_text()
    message = summary.locator(".govuk-error-summary__list li").first.inner_text().strip()
    assert message
    in_form = page.locator("main form .govuk-form-group--error .govuk-error-message")
    assert in_form.count() >= 1, "the error is not repeated in the form"
    assert message in in_form.first.inner_text()
    assert page.title().startswith("Error:"), f"title should start with 'Error:', got {page.title()!r}"
    assert page.input_value("#id_login") == "demo.learner"
    assert_accessible(page, "login page with an error")


def test_sign_out(page: Any, live_demo: LiveDemo) -> None:
    sign_in(page, live_demo, "demo.parent", check_a11y=False)
    assert_on_home(page, live_demo)
    page.locator("header").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    response = page.goto("/")
    assert response is not None
    assert page.url.startswith(f"{live_demo.base_url}/accounts/login/"), f"/ after signing out went to {page.url}"
    assert page.locator("header").get_by_role("button", name="Sign out").count() == 0
