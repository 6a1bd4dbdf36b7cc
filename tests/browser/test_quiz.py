"""A practice quiz in a real browser on a phone (390x844), tried as a new user would: a learner of a
teaching group finds the group's quiz under Quizzes, answers every question on one page, hands in and
reads the feedback straight away (what was right, why, and the right answer). A double submit changes
nothing. Then the teacher writes a question (the form says what is wrong and where) and reads the
group's results. Every page passes axe-core and none scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}

# The demo learner joins one of the demo teacher's teaching groups; prints the title of that group's
# practice quiz (written by commonroom/quizzes/demo.py).
SETUP = """
import datetime
from commonroom.identity.models import User
from commonroom.people.models import GroupMembership, GroupStaff
from commonroom.quizzes.models import Quiz
from commonroom.common.dates import today
teacher = User.objects.get(username="demo.teacher").person_id
learner = User.objects.get(username="demo.learner").person_id
staff = GroupStaff.objects.filter(person_id=teacher, role="teacher", group__kind="teaching").select_related("group").first()
group = staff.group
if not GroupMembership.objects.filter(group=group, learner_id=learner, end_date__isnull=True).exists():
    GroupMembership.objects.create(institution_id=group.institution_id, group=group, learner_id=learner,
                                   start_date=today() - datetime.timedelta(days=1))
quiz = Quiz.objects.get(group=group, mode="practice")
print(quiz.pk, quiz.title)
"""




def test_learner_takes_a_practice_quiz_on_a_phone_and_sees_feedback(chromium: Any, live_demo: LiveDemo) -> None:
    quiz_id, title = live_demo.manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1].split(" ", 1)
    learner = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = learner.new_page()
        sign_in(page, live_demo, "demo.learner", check_a11y=False)
        page.goto("/")
        menu = page.get_by_role("button", name="Menu")
        if menu.count() and menu.first.is_visible():  # the phone's collapsed navigation
            menu.first.click()
        page.get_by_role("link", name="Quizzes", exact=True).first.click()
        page.wait_for_load_state("load")
        assert_accessible(page, "my quizzes")
        page.locator(f'main a[href="/quizzes/{quiz_id}/"]').click()  # the learner has two maths groups
        page.wait_for_load_state("load")
        assert_accessible(page, "quiz page (learner)")
        page.get_by_role("button", name="Start the quiz").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == title
        assert_accessible(page, "quiz form")
        assert_no_sideways_scroll(page, "quiz form")
        form_url = page.url
        page.get_by_role("radio", name="15", exact=True).check()  # 3/4 of 20: right
        page.get_by_label("Your answer (a number)").fill("0,375")  # a comma: wrong, and told why
        page.get_by_role("checkbox", name="2", exact=True).check()
        page.get_by_role("checkbox", name="11", exact=True).check()
        page.get_by_role("radio", name="True", exact=True).check()
        page.get_by_label("Your answer", exact=True).fill("  paris ")
        page.get_by_role("button", name="Hand in my answers").click()
        page.wait_for_load_state("load")
        main = page.locator("main").inner_text()
        assert "4 out of 5" in main
        assert "Your answers have been handed in." in main
        assert "Write the number without commas" in main
        assert "The right answer: 0.375" in main
        assert "A quarter of 20 is 5, and three quarters is 15." in main  # why the right answer is right
        assert page.locator(".govuk-tag", has_text="Not right").count() == 1
        assert page.locator(".govuk-tag", has_text="Right").count() == 5  # "Right" and "Not right"
        assert_accessible(page, "feedback")
        assert_no_sideways_scroll(page, "feedback")
        # The browser's back button and a second submit of the same form change nothing.
        page.go_back()
        page.wait_for_load_state("load")
        assert page.url == form_url
        page.reload()
        assert "4 out of 5" in page.locator("main").inner_text()
        page.goto(f"/quizzes/{quiz_id}/")
        assert page.locator("main table tbody tr").count() == 1
        assert "4 / 5" in page.locator("main table tbody tr").inner_text()
    finally:
        learner.close()

    teacher = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = teacher.new_page()
        sign_in(page, live_demo, "demo.teacher", check_a11y=False)
        page.goto("/questions/new/?kind=single")
        assert_accessible(page, "question form")
        page.get_by_label("Question").fill("Which is the largest?")
        page.get_by_label("Choices").fill("0.5\n0.45")
        page.get_by_role("button", name="Save question").click()
        page.wait_for_load_state("load")
        summary = page.locator(".govuk-error-summary").inner_text()
        assert "Mark the right answer with * at the start of its line." in summary
        assert_accessible(page, "question form with errors")
        page.get_by_label("Choices").fill("* 0.5\n0.45 | 45 hundredths is less than 50 hundredths")
        page.get_by_role("button", name="Save question").click()
        page.wait_for_load_state("load")
        assert "Question saved." in page.locator("main").inner_text()
        assert_accessible(page, "question page")
        page.goto(f"/quizzes/{quiz_id}/results/")
        assert_accessible(page, "results")
        assert_no_sideways_scroll(page, "results")
        assert page.locator("svg").count() >= 1
        assert "Right answers per question" in page.locator("main").inner_text()
    finally:
        teacher.close()
