"""Demo data for the office's family queues: a few generated absence reports and changes of details per
school, all waiting for a decision (the generator calls ``write_demo``). Nothing here is real."""

from __future__ import annotations

import datetime
import random
from typing import Any


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    from commonroom.common.dates import in_force
    from commonroom.liaison.models import AbsenceReport, DetailChange
    from commonroom.people.models import ContactLink, Enrolment

    rng = random.Random(seed + 11)
    reports: list[AbsenceReport] = []
    changes: list[DetailChange] = []
    next_week = today + datetime.timedelta(days=7 - today.weekday())  # next Monday
    for inst in plan.institutions:
        enrolled = Enrolment.objects.filter(in_force(on=today), institution_id=inst.id).values("learner_id")
        links = list(ContactLink.objects.filter(in_force(on=today), learner_id__in=enrolled, access_barred=False,
                                                parental_responsibility=True)
                     .select_related("contact", "learner").order_by("learner_id", "contact_id")[:400])
        if len(links) < 4:
            continue
        picked = rng.sample(links, 4)
        for link in picked[:2]:
            reports.append(AbsenceReport(
                institution_id=inst.id, learner_id=link.learner_id, reported_by_id=link.contact_id,
                kind=AbsenceReport.Kind.ILL_TODAY, reason=AbsenceReport.Reason.ILLNESS, first_date=today,
                last_date=today, note="A temperature this morning (generated demo data)."))
        reports.append(AbsenceReport(
            institution_id=inst.id, learner_id=picked[2].learner_id, reported_by_id=picked[2].contact_id,
            kind=AbsenceReport.Kind.PLANNED, reason=AbsenceReport.Reason.MEDICAL, first_date=next_week,
            last_date=next_week, sessions=AbsenceReport.Sessions.AM,
            note="Orthodontist at 9.15 (generated demo data)."))
        contact = picked[3].contact
        changes.append(DetailChange(person=contact, field=DetailChange.Field.PHONE, old_value=contact.phone,
                                    new_value=f"07700 9{rng.randint(0, 99999):05d}", requested_by=contact))
        learner = picked[3].learner
        changes.append(DetailChange(person_id=learner.pk, learner=learner, field=DetailChange.Field.DIETARY_NEEDS,
                                    old_value=learner.dietary_needs,
                                    new_value="Vegetarian (generated demo data).", requested_by=contact))
    AbsenceReport.objects.bulk_create(reports)
    DetailChange.objects.bulk_create(changes)
    return f"{len(reports)} absence reports and {len(changes)} changes of details from parents, waiting (generated)"
