"""The demo build gives each school's office a few generated absence reports and changes of details to decide."""

from __future__ import annotations

import pytest

from commonroom.liaison.models import AbsenceReport, DetailChange


@pytest.mark.django_db
def test_the_demo_leaves_waiting_reports_and_changes_that_the_rules_accept() -> None:
    from django.utils import timezone

    from commonroom.demo.generator import SIZES, Planner, write_plan

    plan = Planner(SIZES["tiny"], 2026, timezone.localdate()).plan()
    said: list[str] = []
    write_plan(plan, 2026, said.append)
    assert any("absence reports" in line for line in said)
    demo = AbsenceReport.objects.filter(institution_id__in=[inst.id for inst in plan.institutions])
    assert demo.filter(status="pending").count() >= 3
    assert DetailChange.objects.filter(status="pending", new_value__contains="generated").exists()
    assert all("generated" in report.note for report in demo)
    for report in demo.select_related("learner"):
        # Every generated report was made by a parent with responsibility whose link is in force, at a school
        # where the child is enrolled: the office can decide it through the normal page.
        assert report.learner.contact_links.filter(contact_id=report.reported_by_id, access_barred=False,
                                                   parental_responsibility=True).exists()
        assert report.learner.enrolments.filter(institution_id=report.institution_id).exists()
