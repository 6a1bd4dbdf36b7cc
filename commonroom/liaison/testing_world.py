"""Liaison rows in the persona world (for ``test_rule_agreement`` and the matrix).

- ``parent.a1`` reported ``a1.learnerA1`` ill today (all day, pending) at a1;
- ``parent.two`` reported a planned absence for ``b1.learnerA1`` (a medical appointment a week
  ahead, morning only, pending) at b1, and one for ``a1.learnerA2`` that a1's office declined;
- ``parent.two`` asked to change their phone number (pending);
- ``parent.a1`` asked to change ``a1.learnerA1``'s dietary needs (pending).

The rows are written directly (the world is data, not a story of service calls).
"""

from __future__ import annotations

import datetime

from commonroom.common.dates import today


def extend(world) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from commonroom.liaison.models import AbsenceReport, DetailChange

    day = today()
    AbsenceReport.objects.create(
        institution=world.institutions["a1"], learner=world.learners["a1.learnerA1"], reported_by=world.people["parent.a1"],
        kind="ill", reason="illness", first_date=day, last_date=day, sessions="both", note="Temperature since last night",
    )
    AbsenceReport.objects.create(
        institution=world.institutions["b1"], learner=world.learners["b1.learnerA1"], reported_by=world.people["parent.two"],
        kind="planned", reason="medical", first_date=day + datetime.timedelta(days=7),
        last_date=day + datetime.timedelta(days=7), sessions="AM", note="Dentist",
    )
    AbsenceReport.objects.create(
        institution=world.institutions["a1"], learner=world.learners["a1.learnerA2"], reported_by=world.people["parent.two"],
        kind="planned", reason="family", first_date=day + datetime.timedelta(days=3),
        last_date=day + datetime.timedelta(days=4), sessions="both", note="Wedding", status="declined",
        decided_by=world.people["a1.office"], decided_at=timezone.now(), decision_note="Not exceptional: please speak to us",
    )
    phone = world.people["parent.two"].phone
    DetailChange.objects.create(person=world.people["parent.two"], field="phone", old_value=phone,
                                new_value="07700 900222", requested_by=world.people["parent.two"])
    DetailChange.objects.create(person=world.people["a1.learnerA1"], learner=world.learners["a1.learnerA1"],
                                field="dietary_needs", old_value="", new_value="No nuts (allergy)",
                                requested_by=world.people["parent.a1"])
