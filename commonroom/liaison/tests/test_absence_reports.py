"""Parents report absences; the office confirms (marks written through the records service) or declines."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from commonroom.authz.api import NotFound, can, visible
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import today
from commonroom.liaison import services
from commonroom.liaison.models import AbsenceReport
from commonroom.records.calendar import school_days
from commonroom.records.models import AttendanceMark, MarkChange
from commonroom.testing import oracle_liaison as oracle

PERSONAS = ["a1.head", "a1.leader", "a1.senco", "a1.office", "a1.teacher", "a1.teacher2", "a1.tutor", "a1.learnerA1",
            "b1.office", "parent.a1", "parent.two", "parent.barred", "la1.officer", "platform.admin", "nobody"]
LEARNERS = ["a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "b1.learnerA1"]


def _report(world, learner="a1.learnerA1"):  # type: ignore[no-untyped-def]
    return AbsenceReport.objects.filter(learner=world.learners[learner], status="pending").order_by("id").first()


def _next_school_day(world, inst="a1", after=None):  # type: ignore[no-untyped-def]
    start = (after or today()) + datetime.timedelta(days=1)
    return next(iter(school_days(world.institutions[inst].pk, start, start + datetime.timedelta(days=20))))


@pytest.mark.parametrize("persona", PERSONAS)
def test_rules_agree_with_the_oracle(world, persona: str) -> None:
    actor = world.actor(persona)
    for learner in LEARNERS:
        assert can(actor, "report_absence", world.learners[learner]) == oracle.may_report_absence(persona, learner), learner
    for learner in ("a1.learnerA1", "b1.learnerA1"):
        report = _report(world, learner)
        assert can(actor, "decide", report) == oracle.may_decide_report_about(persona, learner), learner
    for inst in ("a1", "b1"):
        assert can(actor, "view_absence_reports", world.institutions[inst]) == oracle.is_office_at(persona, inst)


def test_parents_see_only_their_own_reports_and_barred_see_nothing(world) -> None:
    seen = {p: set(visible(world.actor(p), AbsenceReport).values_list("learner_id", flat=True))
            for p in ("parent.a1", "parent.two", "parent.barred", "a1.teacher2", "b1.office")}
    assert seen["parent.a1"] == {world.learners["a1.learnerA1"].pk}
    assert seen["parent.two"] == {world.learners["a1.learnerA2"].pk, world.learners["b1.learnerA1"].pk}
    assert seen["parent.barred"] == set() and seen["a1.teacher2"] == set()
    assert seen["b1.office"] == {world.learners["b1.learnerA1"].pk}


def test_a_barred_parent_cannot_report_or_learn_the_child_exists(client, world) -> None:
    learner = world.learners["a1.learnerA1"]
    client.force_login(world.users["parent.barred"])
    assert client.get(f"/children/{learner.pk}/absence/").status_code == 404
    response = client.post(f"/api/v1/learners/{learner.pk}/absence-reports",
                           {"institution_id": world.institutions["a1"].pk, "kind": "ill"}, content_type="application/json")
    assert response.status_code == 404
    assert "learnerA1" not in client.get("/account/absence-reports/").content.decode()


def test_parent_two_reports_at_each_school_only_for_their_own_child(world) -> None:
    actor = world.actor("parent.two")
    report = services.absence_report_create(actor=actor, learner=world.learners["b1.learnerA1"],
                                            institution=world.institutions["b1"], kind="ill", sessions="AM")
    assert report.institution == world.institutions["b1"] and report.first_date == today()
    with pytest.raises(NotFound):  # the child is not at a1
        services.absence_report_create(actor=actor, learner=world.learners["b1.learnerA1"],
                                       institution=world.institutions["a1"], kind="ill", sessions="AM")
    with pytest.raises(NotFound):  # another parent's child
        services.absence_report_create(actor=actor, learner=world.learners["a1.learnerA1"],
                                       institution=world.institutions["a1"], kind="ill", sessions="AM")


def test_a_contact_without_parental_responsibility_cannot_report(world) -> None:
    link = world.links["parent.a1>a1.learnerA1"]
    link.parental_responsibility = False
    link.save()
    with pytest.raises(NotFound):
        services.absence_report_create(actor=world.actor("parent.a1"), learner=world.learners["a1.learnerA1"],
                                       institution=world.institutions["a1"], kind="ill", sessions="both")


def test_the_form_shows_errors_at_the_field_and_keeps_the_input(client, world) -> None:
    learner = world.learners["a1.learnerA1"]
    client.force_login(world.users["parent.a1"])
    response = client.post(f"/children/{learner.pk}/absence/", {
        "institution": world.institutions["a1"].pk, "kind": "planned", "sessions": "AM", "reason": "",
        "first_date": (today() - datetime.timedelta(days=3)).isoformat(), "note": "Orthodontist at 9"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "reason" in errors and "first_date" in errors
    page = response.content.decode()
    assert "Orthodontist at 9" in page and "There is a problem" in page and 'href="#id_reason"' in page
    assert AbsenceReport.objects.filter(note="Orthodontist at 9").count() == 0


def test_a_parent_reports_ill_today_through_the_page(client, world) -> None:
    learner = world.learners["a1.learnerA1"]
    client.force_login(world.users["parent.a1"])
    response = client.post(f"/children/{learner.pk}/absence/", {
        "institution": world.institutions["a1"].pk, "kind": "ill", "sessions": "PM", "note": "Sick after lunch"})
    assert response.status_code == 302
    report = AbsenceReport.objects.get(note="Sick after lunch")
    assert (report.kind, report.reason, report.sessions, report.first_date, report.status, report.code) == (
        "ill", "illness", "PM", today(), "pending", "")
    assert AuditEvent.objects.filter(action="liaison.absence_reported", object_id=str(report.pk)).exists()
    page = client.get("/account/absence-reports/").content.decode()
    assert "Sick after lunch" in page and "Waiting for the school" in page


def test_the_register_shows_a_pending_report(client, world) -> None:
    client.force_login(world.users["a1.tutor"])
    page = client.get(f"/groups/{world.groups['a1.formA'].pk}/register/{today().isoformat()}/AM/").content.decode()
    assert "Reported by parent: illness" in page
    assert page.count("Reported by parent") == 1  # only learnerA1


def test_confirming_writes_marks_through_the_records_service_and_is_idempotent(world) -> None:
    office = world.actor("a1.office")
    learner = world.learners["a1.learnerA1"]
    enrolment = learner.enrolments.get()
    # The tutor marked N this morning before the office saw the report.
    morning = AttendanceMark.objects.create(institution=world.institutions["a1"], learner=learner, enrolment=enrolment,
                                            date=today(), session="AM", code="N")
    report = _report(world)
    services.absence_report_confirm(actor=office, report=report, code="I")
    marks = {m.session: m for m in AttendanceMark.objects.filter(learner=learner, date=today())}
    assert {s: (m.code, m.source) for s, m in marks.items()} == {"AM": ("I", "planned"), "PM": ("I", "planned")}
    assert MarkChange.objects.filter(mark=morning, from_code="N", to_code="I").count() == 1
    assert AuditEvent.objects.filter(action="attendance.planned_absence", learner=learner).count() == 1
    report.refresh_from_db()
    assert (report.status, report.code) == ("confirmed", "I")
    # Again: nothing more is written.
    services.absence_report_confirm(actor=office, report=report, code="M")
    assert AttendanceMark.objects.filter(learner=learner, date=today(), code="I").count() == 2
    assert MarkChange.objects.filter(mark__learner=learner, mark__date=today()).count() == 1
    assert AuditEvent.objects.filter(action="attendance.planned_absence", learner=learner).count() == 1
    assert AuditEvent.objects.filter(action="liaison.absence_confirmed", object_id=str(report.pk)).count() == 1
    with pytest.raises(ValidationError):
        services.absence_report_decline(actor=office, report=report, note="Too late")


@pytest.mark.parametrize("code", ["/", "N", "U", "Z", "#", "H", "nonsense"])
def test_only_absence_codes_confirm(world, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.absence_report_confirm(actor=world.actor("a1.office"), report=_report(world), code=code)
    assert "code" in error.value.message_dict
    assert _report(world).status == "pending"


def test_a_day_already_marked_present_is_shown_not_applied_silently(client, world) -> None:
    learner = world.learners["a1.learnerA1"]
    AttendanceMark.objects.create(institution=world.institutions["a1"], learner=learner,
                                  enrolment=learner.enrolments.get(), date=today(), session="AM", code="/")
    report = _report(world)
    office = world.actor("a1.office")
    client.force_login(world.users["a1.office"])
    queue = client.get(f"/institutions/{world.institutions['a1'].pk}/absence-reports/").content.decode()
    assert "already marked present" in queue
    with pytest.raises(ValidationError) as error:
        services.absence_report_confirm(actor=office, report=report, code="I")
    assert "replace_present" in error.value.message_dict
    assert AttendanceMark.objects.get(learner=learner, date=today(), session="AM").code == "/"
    page = client.post(f"/institutions/{world.institutions['a1'].pk}/absence-reports/{report.pk}/",
                       {"action": "confirm", "code": "I", "note": "Checked with mum"})
    assert page.status_code == 200 and "replace_present" in page.context["form"].errors
    assert 'value="Checked with mum"' in page.content.decode()
    services.absence_report_confirm(actor=office, report=report, code="I", replace_present=True)
    assert AttendanceMark.objects.get(learner=learner, date=today(), session="AM").code == "I"


def test_a_planned_morning_absence_over_several_days(world) -> None:
    first = _next_school_day(world, "a1")
    last = _next_school_day(world, "a1", after=first)
    report = services.absence_report_create(
        actor=world.actor("parent.a1"), learner=world.learners["a1.learnerA1"], institution=world.institutions["a1"],
        kind="planned", reason="religious", sessions="AM", first_date=first, last_date=last, note="Festival")
    services.absence_report_confirm(actor=world.actor("a1.office"), report=report, code="R")
    marks = AttendanceMark.objects.filter(learner=world.learners["a1.learnerA1"], date__gte=first, date__lte=last)
    assert sorted((m.date, m.session, m.code) for m in marks) == [(first, "AM", "R"), (last, "AM", "R")]


def test_declining_needs_a_note_and_writes_no_mark(client, world) -> None:
    report = _report(world)
    office = world.actor("a1.office")
    with pytest.raises(ValidationError) as error:
        services.absence_report_decline(actor=office, report=report, note=" ")
    assert "note" in error.value.message_dict
    services.absence_report_decline(actor=office, report=report, note="Please ring the office about this")
    assert not AttendanceMark.objects.filter(learner=report.learner, date=today()).exclude(code="N").exists()
    client.force_login(world.users["parent.a1"])
    page = client.get("/account/absence-reports/").content.decode()
    assert "Please ring the office about this" in page and "Declined by the school" in page


def test_another_schools_office_cannot_decide(world) -> None:
    with pytest.raises(NotFound):
        services.absence_report_confirm(actor=world.actor("b1.office"), report=_report(world), code="I")
    with pytest.raises(NotFound):
        services.absence_report_confirm(actor=world.actor("a1.tutor"), report=_report(world), code="I")


def test_the_api_round_trip(client, world) -> None:
    learner = world.learners["b1.learnerA1"]
    client.force_login(world.users["parent.two"])
    created = client.post(f"/api/v1/learners/{learner.pk}/absence-reports",
                          {"institution_id": world.institutions["b1"].pk, "kind": "ill", "sessions": "both",
                           "note": "Flu"}, content_type="application/json")
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    bad = client.post(f"/api/v1/learners/{learner.pk}/absence-reports",
                      {"institution_id": world.institutions["b1"].pk, "kind": "planned", "reason": "nonsense"},
                      content_type="application/json")
    assert bad.status_code == 422
    assert {row["id"] for row in client.get("/api/v1/absence-reports").json()} >= {report_id}
    client.force_login(world.users["b1.office"])
    queue = client.get(f"/api/v1/institutions/{world.institutions['b1'].pk}/absence-reports").json()
    assert report_id in {row["id"] for row in queue}
    assert next(row for row in queue if row["id"] == report_id)["suggested_code"] == "I"
    assert client.post(f"/api/v1/absence-reports/{report_id}/confirm", {"code": "/"},
                       content_type="application/json").status_code == 422
    first = client.post(f"/api/v1/absence-reports/{report_id}/confirm", {"code": "I"}, content_type="application/json")
    again = client.post(f"/api/v1/absence-reports/{report_id}/confirm", {"code": "I"}, content_type="application/json")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["status"] == "confirmed"
    assert AttendanceMark.objects.filter(learner=learner, date=today(), code="I").count() == 2


def test_the_queue_has_a_fixed_query_budget(client, world, django_assert_max_num_queries) -> None:
    client.force_login(world.users["a1.office"])
    url = f"/institutions/{world.institutions['a1'].pk}/absence-reports/"
    client.get(url)
    with django_assert_max_num_queries(12):
        client.get(url)
    # Ten more reports: the same budget.
    for who in ("learnerA2", "learnerB1", "learnerB2") * 3 + ("learnerA2",):
        AbsenceReport.objects.create(institution=world.institutions["a1"], learner=world.learners[f"a1.{who}"],
                                     reported_by=world.people["parent.two"], kind="ill", reason="illness",
                                     first_date=today(), last_date=today())
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("path", ["/account/absence-reports/", "/account/details/"])
def test_the_parents_pages_have_a_fixed_query_budget(client, world, django_assert_max_num_queries, path: str) -> None:
    client.force_login(world.users["parent.two"])
    client.get(path)
    for _n in range(8):
        AbsenceReport.objects.create(institution=world.institutions["b1"], learner=world.learners["b1.learnerA1"],
                                     reported_by=world.people["parent.two"], kind="ill", reason="illness",
                                     first_date=today(), last_date=today())
    with django_assert_max_num_queries(12):
        assert client.get(path).status_code == 200


def test_reported_absent_for_the_alerts_task(world) -> None:  # type: ignore[no-untyped-def]
    """The system selector behind the "no reason given" alert: pending or confirmed, covering the day and session."""
    from commonroom.liaison.selectors import reported_absent

    a1, a2, b1 = (world.learners[key].pk for key in ("a1.learnerA1", "a1.learnerA2", "b1.learnerA1"))
    day = today()
    # The world: learnerA1 reported ill today, all day, pending; learnerA2's report was declined.
    assert reported_absent([a1, a2, b1], day, "AM") == {a1}
    assert reported_absent([a1, a2], day, "PM") == {a1}
    assert reported_absent([a1], day, "AM", institution_id=world.institutions["b1"].pk) == set()
    assert reported_absent([a1], day + datetime.timedelta(days=1), "AM") == set()
    assert reported_absent([], day, "AM") == set()
    AbsenceReport.objects.filter(learner_id=a1).update(status="declined")
    assert reported_absent([a1], day, "AM") == set()
    morning = AbsenceReport.objects.create(
        institution=world.institutions["a1"], learner_id=a2, reported_by=world.people["parent.two"], kind="planned",
        reason="medical", first_date=day - datetime.timedelta(days=1), last_date=day + datetime.timedelta(days=1),
        sessions="AM", status="confirmed")
    assert reported_absent([a1, a2], day, "AM") == {a2}
    assert reported_absent([a1, a2], day, "PM") == set()  # a morning-only report says nothing about the afternoon
    AbsenceReport.objects.filter(pk=morning.pk).update(status="pending", sessions="PM")
    assert reported_absent([a2], day, "PM") == {a2}
