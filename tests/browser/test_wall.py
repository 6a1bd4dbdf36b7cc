"""The Question Wall in a real browser, tried as a new user would: a learner asks a question anonymously
from their class's course space, a classmate answers it (and sees only "A classmate"), and the teacher
endorses the answer and sees the asker's real name. Every page passes axe-core; none scrolls sideways on a
phone."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}

# The demo learner joins one of the demo teacher's teaching groups; another learner of that group gets an
# account (``wall.classmate``, with the demo's published password). Prints the group's id, the learner's
# name and the group's name.
SETUP = """
import datetime
from commonroom.identity.models import User
from commonroom.people.models import GroupMembership, GroupStaff, Person
from commonroom.common.dates import today, in_force
teacher = User.objects.get(username="demo.teacher").person_id
learner_user = User.objects.get(username="demo.learner")
learner = learner_user.person_id
staff = GroupStaff.objects.filter(person_id=teacher, role="teacher", group__kind="teaching").select_related("group").first()
group = staff.group
if not GroupMembership.objects.filter(group=group, learner_id=learner, end_date__isnull=True).exists():
    GroupMembership.objects.create(institution_id=group.institution_id, group=group, learner_id=learner,
                                   start_date=today() - datetime.timedelta(days=1))
if not User.objects.filter(username="wall.classmate").exists():
    other = GroupMembership.objects.filter(in_force(), group=group).exclude(learner_id=learner).order_by("pk").first()
    person = Person.objects.get(pk=other.learner_id)
    User.objects.create(username="wall.classmate", email="wall.classmate@example.org", person=person,
                        password=learner_user.password)
print(group.pk, Person.objects.get(pk=learner).full_name.replace(" ", "_"), group.name)
"""


def test_anonymous_question_answered_by_a_classmate_endorsed_by_the_teacher(chromium: Any, live_demo: LiveDemo) -> None:
    group_id, learner_name, group_name = live_demo.manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1].split(" ", 2)
    learner_name = learner_name.replace("_", " ")

    asker = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = asker.new_page()
        sign_in(page, live_demo, "demo.learner", check_a11y=False)
        page.goto(f"/groups/{group_id}/course/")
        page.wait_for_load_state("load")
        assert group_name in page.locator("h1").inner_text()
        page.get_by_role("link", name="Question Wall: ask the class and answer each other").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Question Wall"
        assert_accessible(page, "question wall")
        assert_no_sideways_scroll(page, "question wall")
        page.get_by_role("button", name="Post question").click()  # nothing filled in: errors, said where
        page.wait_for_load_state("load")
        assert "Give your question a short title." in page.locator(".govuk-error-summary").inner_text()
        assert_accessible(page, "question form with errors")
        page.get_by_label("Your question in a few words").fill("Why do we flip the second fraction?")
        page.get_by_label("Say more").fill("When dividing fractions <script>alert(1)</script>, why flip it?\n"
                                           "See https://www.bbc.co.uk/bitesize and https://bbc.co.uk.evil.com/x")
        page.get_by_label("Post anonymously to classmates").check()
        page.get_by_role("button", name="Post question").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Why do we flip the second fraction?"
        main = page.locator("main")
        assert "Your question is on the wall." in main.inner_text()
        assert "<script>alert(1)</script>" in main.inner_text()  # shown as text, never run
        assert page.locator('main a[href="https://www.bbc.co.uk/bitesize"]').count() == 1
        assert page.locator('main a[href^="https://bbc.co.uk.evil.com"]').count() == 0
        assert_accessible(page, "thread (asker)")
        assert_no_sideways_scroll(page, "thread (asker)")
        thread_url = page.url
    finally:
        asker.close()

    classmate = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = classmate.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_login", "wall.classmate")
        page.fill("#id_password", live_demo.account("demo.learner").password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state("load")
        page.goto(thread_url)
        page.wait_for_load_state("load")
        assert "A classmate" in page.locator("main").inner_text()
        assert learner_name not in page.content()
        assert_accessible(page, "thread (classmate)")
        page.get_by_label("Your answer").fill("Dividing by a half is the same as multiplying by two.")
        page.get_by_role("button", name="Post answer").click()
        page.wait_for_load_state("load")
        assert "Your answer is on the wall." in page.locator("main").inner_text()
        assert learner_name not in page.content()
        api = page.request.get(thread_url.replace("/wall/threads/", "/api/v1/wall/threads/").rstrip("/"))
        assert api.ok and learner_name not in api.text()
        assert api.json()["posts"][0]["author"] == {"name": "A classmate", "id": None, "anonymous": False, "staff": False}
    finally:
        classmate.close()

    teacher = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = teacher.new_page()
        sign_in(page, live_demo, "demo.teacher", check_a11y=False)
        page.goto(thread_url)
        page.wait_for_load_state("load")
        question = page.locator("main article").first
        assert learner_name in question.inner_text() and "posted anonymously to classmates" in question.inner_text()
        assert_accessible(page, "thread (teacher)")
        page.get_by_role("button", name="Endorse answer").click()
        page.wait_for_load_state("load")
        assert "Answer endorsed." in page.locator("main").inner_text()
        answer = page.locator("main article").nth(1)
        assert "Endorsed by a teacher" in answer.inner_text()
        assert "Dividing by a half" in answer.inner_text()
        assert_accessible(page, "thread after endorsing (teacher)")
        assert_no_sideways_scroll(page, "thread (teacher)")
    finally:
        teacher.close()
