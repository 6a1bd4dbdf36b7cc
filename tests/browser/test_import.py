"""Importing from CSV in a real browser: a file with a bad row is refused with the row named, then
the corrected file is checked and imported."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveDemo
from .helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_office_imports_learners_from_csv(page: Any, live_demo: LiveDemo, tmp_path: Any) -> None:
    from commonroom.people.identifiers import make_upn

    upn = make_upn("999", "9999", 30, 777)
    good = f"upn,given_name,family_name,date_of_birth\n{upn},Grace,Hopper,2014-12-09\n"
    bad = good + f"{upn},Dup,Licate,2014-01-01\n"
    sign_in(page, live_demo, "demo.head", check_a11y=False)
    page.goto("/")
    page.locator("main a[href^='/institutions/']").first.click()
    page.get_by_role("link", name="Import learners, groups and contacts from CSV").click()
    page.wait_for_load_state("load")
    assert_accessible(page, "import form")
    (tmp_path / "bad.csv").write_text(bad)
    page.set_input_files("#id_learners_file", str(tmp_path / "bad.csv"))
    page.get_by_role("button", name="Check the files").click()
    page.wait_for_load_state("load")
    assert "learners.csv row 3" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "import problems")
    (tmp_path / "good.csv").write_text(good)
    page.set_input_files("#id_learners_file", str(tmp_path / "good.csv"))
    page.get_by_role("button", name="Check the files").click()
    page.wait_for_load_state("load")
    assert "Ready to import" in page.locator("main").inner_text()
    assert_accessible(page, "import preview")
    page.get_by_role("button", name="Import everything").click()
    page.wait_for_load_state("load")
    assert "Imported. Learners: 1;" in page.locator("main").inner_text()
