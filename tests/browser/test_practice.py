"""Adaptive practice in a real browser on a phone (390x844), tried as a new user would: the demo learner
practises one of their practice quizzes adaptively (an empty answer first, then an answer), reads the feedback, goes on to
the next question and looks at their skills; the group's teacher reads the group's mastery. Every page passes
axe-core and none scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, assert_no_sideways_scroll, phone, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}

# The demo gives an adaptive practice quiz to the demo learner's and the demo teacher's teaching groups:
# prints the id of a group the demo teacher teaches that has one.
SETUP = """
from commonroom.identity.models import User
from commonroom.quizzes.models import Quiz
teacher = User.objects.get(username="demo.teacher").person_id
quiz = Quiz.objects.filter(mode="practice", group__staff__person_id=teacher, group__staff__role="teacher",
                           practice_turns__isnull=False).distinct().first()
print(quiz.group_id)
"""




def _answer(page: Any) -> None:
    radios = page.locator("main input[type=radio]")
    if radios.count():
        radios.first.check()
    else:
        page.locator("main input[name=response]").fill("5")


def test_learner_practises_and_teacher_reads_the_groups_mastery_on_a_phone(chromium: Any, live_demo: LiveDemo) -> None:
    group_id = live_demo.manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1]
    learner = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = learner.new_page()
        sign_in(page, live_demo, "demo.learner", check_a11y=False)
        page.goto("/practice/")
        assert_accessible(page, "practice list")
        page.locator("main ul.govuk-list a").first.click()
        page.wait_for_load_state("load")
        assert_accessible(page, "practice question")
        assert_no_sideways_scroll(page, "practice question")
        page.get_by_role("button", name="Check my answer").click()  # nothing given: the error says where
        page.wait_for_load_state("load")
        assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
        assert_accessible(page, "practice question with an error")
        _answer(page)
        page.get_by_role("button", name="Check my answer").click()
        page.wait_for_load_state("load")
        main = page.locator("main").inner_text()
        assert ("Right" in main) or ("The right answer:" in main)
        assert "skills now" in main
        assert_accessible(page, "feedback")
        assert_no_sideways_scroll(page, "feedback")
        page.get_by_role("link", name="Next question").click()
        page.wait_for_load_state("load")
        assert page.get_by_role("button", name="Check my answer").count() == 1
        page.get_by_role("link", name="See your skills").first.click()
        page.wait_for_load_state("load")
        assert "Mastery" in page.locator("main table").first.inner_text()
        assert_accessible(page, "my skills")
    finally:
        learner.close()

    teacher = phone(chromium, live_demo, viewport=PHONE)
    try:
        page = teacher.new_page()
        sign_in(page, live_demo, "demo.teacher", check_a11y=False)
        page.goto(f"/groups/{group_id}/skills/")
        assert "Learners at each level" in page.locator("main").inner_text()
        assert_accessible(page, "group mastery")
    finally:
        teacher.close()
