"""Alerts: who is told, on which channel, once; delivery with claim, retry and failure; triggers."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonroom.authz.api import NotFound
from commonroom.common.dates import today
from commonroom.notifications import services, sms, tasks
from commonroom.notifications.models import AlertPreference, AlertSettings, Channel, Delivery
from commonroom.people.models import ContactLink, Person
from commonroom.records import services as records
from commonroom.records.services import MarkEntry


@pytest.fixture(autouse=True)
def _sms_outbox():  # type: ignore[no-untyped-def]
    sms.LocmemBackend.outbox = []
    sms.LocmemBackend.fail_with = None
    yield
    sms.LocmemBackend.outbox = []
    sms.LocmemBackend.fail_with = None


@pytest.fixture(autouse=True)
def _no_parent_report(world):  # type: ignore[no-untyped-def]
    """The world has parent.a1 reporting learnerA1 ill today: these tests are about absences with no reason,
    so that report is declined (a parent's report stopping the alert has its own test)."""
    from commonroom.liaison.models import AbsenceReport

    AbsenceReport.objects.filter(learner=world.learners["a1.learnerA1"]).update(status="declined")


def _offer(world, inst: str = "a1", kinds=("absence", "report", "incident", "message"), **fields) -> AlertSettings:  # type: ignore[no-untyped-def]
    row, _ = AlertSettings.objects.update_or_create(institution=world.institutions[inst],
                                                    defaults={"offered": list(kinds), **fields})
    return row


def _contact(world, name: str, learner: str = "a1.learnerA1", *, phone: str = "07700 900001", **link) -> Person:  # type: ignore[no-untyped-def]
    person = Person.objects.create(given_name=name, family_name="Contact", email=f"{name.lower()}@example.org", phone=phone)
    ContactLink.objects.create(learner=world.learners[learner], contact=person, relationship="parent",
                               start_date=today() - datetime.timedelta(days=30), **link)
    return person


def _register(world, codes: dict[str, str], session: str = "AM", capture=None) -> None:  # type: ignore[no-untyped-def]
    entries = [MarkEntry(world.learners[key].pk, code) for key, code in codes.items()]
    actor = world.actor("a1.tutor")
    from commonroom.records.models import AttendanceMark

    seen = dict(AttendanceMark.objects.filter(date=today(), session=session).values_list("learner_id", "version"))
    entries = [MarkEntry(e.learner_id, e.code, seen_version=seen.get(e.learner_id, 0)) for e in entries]
    with capture(execute=True):
        records.register_save(actor=actor, group=world.groups["a1.formA"], day=today(), session=session, entries=entries)


def _sent_to(person: Person) -> list[tuple[str, str]]:
    return sorted(Delivery.objects.filter(recipient=person).exclude(key__startswith="world:").values_list("channel", "status"))


# Who is told.

def test_absence_alert_goes_to_priority_one_by_email_and_text_once(world, django_capture_on_commit_callbacks) -> None:
    _offer(world)
    parent = world.people["parent.a1"]
    Person.objects.filter(pk=parent.pk).update(phone="+44 7700 900123")
    second = _contact(world, "Second", priority=2)
    _register(world, {"a1.learnerA1": "N", "a1.learnerA2": "/"}, capture=django_capture_on_commit_callbacks)
    assert _sent_to(parent) == [("email", "sent"), ("sms", "sent")]
    assert _sent_to(second) == []  # priority 2 is not told when the school says priority 1 only
    assert [m.to for m in mail.outbox] == [["parent.a1@example.org"]]
    assert [(s.to, s.reference) for s in sms.LocmemBackend.outbox] == [
        ("+447700900123", str(Delivery.objects.get(recipient=parent, channel="sms").pk))]
    text = sms.LocmemBackend.outbox[0].body
    assert "not marked present" in text and world.institutions["a1"].name in text
    assert f"on {today().strftime('%A %-d %B')}, morning" in text  # the date by name: true even if sent late
    # Saving again, and the afternoon register, alert nobody again.
    _register(world, {"a1.learnerA1": "N", "a1.learnerA2": "/"}, capture=django_capture_on_commit_callbacks)
    _register(world, {"a1.learnerA1": "N", "a1.learnerA2": "\\"}, session="PM", capture=django_capture_on_commit_callbacks)
    assert Delivery.objects.filter(recipient=parent, key__startswith="absence").count() == 2
    assert len(mail.outbox) == 1 and len(sms.LocmemBackend.outbox) == 1


def test_all_with_parental_responsibility_when_the_school_says_so(world, django_capture_on_commit_callbacks) -> None:
    _offer(world, absence_recipients="parental_responsibility")
    second = _contact(world, "Second", priority=2)
    no_pr = _contact(world, "Neighbour", priority=3, parental_responsibility=False)
    ended = _contact(world, "Former", priority=1, end_date=today() - datetime.timedelta(days=1))
    _register(world, {"a1.learnerA1": "N", "a1.learnerA2": "/"}, capture=django_capture_on_commit_callbacks)
    assert _sent_to(second) == [("email", "sent"), ("sms", "sent")]
    assert _sent_to(world.people["parent.a1"]) == [("email", "sent"), ("sms", "skipped")]  # no mobile on record
    assert Delivery.objects.get(recipient=world.people["parent.a1"], channel="sms").last_error
    assert _sent_to(no_pr) == [] and _sent_to(ended) == []
    # The bar wins: neither barred contact (parent.barred, a1.teacher2) hears anything.
    assert not Delivery.objects.filter(recipient__in=[world.people["parent.barred"], world.people["a1.teacher2"]],
                                       key__startswith="absence").exists()


def test_a_child_reported_absent_by_a_parent_gets_no_no_reason_alert(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from commonroom.liaison.models import AbsenceReport

    _offer(world, absence_recipients="parental_responsibility")
    report = AbsenceReport.objects.filter(learner=world.learners["a1.learnerA1"]).first()
    AbsenceReport.objects.filter(pk=report.pk).update(status="pending", first_date=today(), last_date=today(),
                                                      sessions="AM")
    _register(world, {"a1.learnerA1": "N", "a1.learnerA2": "N"}, capture=django_capture_on_commit_callbacks)
    told = set(Delivery.objects.filter(key__startswith="absence").values_list("learner_id", flat=True))
    assert told == {world.learners["a1.learnerA2"].pk}  # learnerA1's parent already told the school
    # The report covers the morning only: the afternoon absence alerts.
    _register(world, {"a1.learnerA1": "N", "a1.learnerA2": "N"}, session="PM", capture=django_capture_on_commit_callbacks)
    assert Delivery.objects.filter(key__startswith="absence", learner=world.learners["a1.learnerA1"]).exists()


def test_school_disabled_kind_sends_nothing(world, django_capture_on_commit_callbacks) -> None:
    _offer(world, kinds=["report"])
    _register(world, {"a1.learnerA1": "N", "a1.learnerA2": "N"}, capture=django_capture_on_commit_callbacks)
    assert not Delivery.objects.filter(key__startswith="absence").exists() and not mail.outbox


def test_preferences_are_honoured(world, django_capture_on_commit_callbacks) -> None:
    _offer(world)
    parent = world.people["parent.a1"]
    services.preferences_save(actor=world.actor("parent.a1"), choices={"absence": (False, True)})
    Person.objects.filter(pk=parent.pk).update(phone="07700900123")
    _register(world, {"a1.learnerA1": "N", "a1.learnerA2": "/"}, capture=django_capture_on_commit_callbacks)
    assert _sent_to(parent) == [("sms", "sent")] and not mail.outbox


def test_preferences_only_for_contacts_and_offered_kinds(world) -> None:
    with pytest.raises(NotFound):
        services.preferences_save(actor=world.actor("a1.teacher"), choices={"absence": (True, True)})
    with pytest.raises(NotFound):  # barred only: not a contact for alerts
        services.preferences_save(actor=world.actor("parent.barred"), choices={"absence": (True, True)})
    _offer(world, kinds=["absence"])
    with pytest.raises(ValidationError):
        services.preferences_save(actor=world.actor("parent.a1"), choices={"report": (True, True)})
    services.preferences_save(actor=world.actor("parent.a1"), choices={"absence": (True, False)})
    assert AlertPreference.objects.get(person=world.people["parent.a1"], kind="absence").sms is False


def test_report_alerts_go_only_to_those_who_may_receive_reports(world, django_capture_on_commit_callbacks) -> None:
    from commonroom.records.models import PublishedReport

    _offer(world)
    no_reports = _contact(world, "Noreports", priority=1, may_receive_reports=False)
    report = PublishedReport.objects.filter(learner=world.learners["a1.learnerA1"]).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_alerts_on_commit(cycle_id=report.cycle_id)
    assert _sent_to(world.people["parent.a1"]) == [("email", "sent")]  # email only by default
    assert _sent_to(no_reports) == []
    assert Delivery.objects.get(recipient=world.people["parent.a1"], kind="report").key == f"report:{report.pk}"
    assert not Delivery.objects.filter(recipient=world.people["parent.barred"], kind="report").exists()


def test_incident_alerts_by_severity_and_role(world, django_capture_on_commit_callbacks) -> None:
    from commonroom.records.models import BehaviourCategory

    _offer(world, min_incident_severity=3)
    category = BehaviourCategory.objects.create(institution=world.institutions["a1"], kind="incident", name="Alerts", points=1)

    def record(severity: int, role_a1: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            records.incident_record(
                actor=world.actor("a1.teacher"), institution=world.institutions["a1"], category_id=category.pk,
                severity=severity, occurred_at=timezone.now() - datetime.timedelta(hours=1), location="", description="x",
                action_taken="", follow_up_owner_id=None,
                involved=[(world.learners["a1.learnerA1"].pk, role_a1), (world.learners["a1.learnerA2"].pk, "witness")])

    record(2, "instigator")  # below the school's severity
    assert not Delivery.objects.filter(kind="incident").exists()
    record(3, "instigator")
    assert _sent_to(world.people["parent.a1"]) == [("email", "sent")]
    assert not Delivery.objects.filter(kind="incident", recipient=world.people["parent.two"]).exists()  # a witness
    record(4, "target")
    assert Delivery.objects.filter(kind="incident").count() == 1


def test_alert_contacts_for_another_app(world, django_capture_on_commit_callbacks) -> None:
    _offer(world)
    kwargs = {"kind": "message", "learner": world.learners["a1.learnerA2"], "institution": world.institutions["a1"],
              "subject": "Trip letter", "body": "The trip leaves at 8.", "link_path": "/messages/1/", "key": "message:1"}
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_contacts(**kwargs)
        services.alert_contacts(**kwargs)
    assert _sent_to(world.people["parent.two"]) == [("email", "sent")]
    assert "The trip leaves at 8." in mail.outbox[0].body and "/messages/1/" in mail.outbox[0].body


def test_a_reply_reaches_the_contact_in_the_conversation_without_parental_responsibility(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _offer(world)
    carer = _contact(world, "Carer", "a1.learnerA2", priority=2, parental_responsibility=False)
    kwargs = {"kind": "message", "learner": world.learners["a1.learnerA2"], "institution": world.institutions["a1"],
              "subject": "Re: lunch", "body": "Thank you.", "link_path": "/messages/2/"}
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_contacts(**kwargs, key="message:broadcast")  # to all contacts: parental responsibility needed
        services.alert_contacts(**kwargs, key="message:reply", only_contact_ids=[carer.pk])
    assert list(Delivery.objects.filter(recipient=carer).values_list("key", "status")) == [("message:reply", "sent")]
    # Still not once barred or ended.
    ContactLink.objects.filter(contact=carer).update(access_barred=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_contacts(**kwargs, key="message:reply2", only_contact_ids=[carer.pk])
    assert not Delivery.objects.filter(recipient=carer, key="message:reply2").exists()


# Delivery.

def _queued(world, channel: str = Channel.SMS) -> Delivery:  # type: ignore[no-untyped-def]
    return Delivery.objects.create(
        institution=world.institutions["a1"], recipient=world.people["parent.a1"], channel=channel, key="test:1",
        kind="absence", learner=world.learners["a1.learnerA1"],
        address="+447700900123" if channel == Channel.SMS else "parent.a1@example.org", subject="s", body="b")


def test_failed_send_is_retried_then_reported(world, client, django_capture_on_commit_callbacks) -> None:
    _offer(world, retry_limit=3)
    row = _queued(world)
    sms.LocmemBackend.fail_with = "Provider said no"
    with django_capture_on_commit_callbacks(execute=True):  # immediate backend: each retry runs once queued
        tasks.deliver_alerts.enqueue(delivery_ids=[row.pk])
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "Provider said no")
    client.force_login(world.users["a1.office"])
    settings_page = client.get(f"/institutions/{world.institutions['a1'].pk}/alerts/").content.decode()
    assert "alerts could not be delivered" in settings_page
    page = client.get(f"/institutions/{world.institutions['a1'].pk}/alerts/undelivered/").content.decode()
    assert "Provider said no" in page and "Try again" in page
    sms.LocmemBackend.fail_with = None
    refused = client.post(f"/institutions/{world.institutions['a1'].pk}/alerts/undelivered/{row.pk}/retry/", follow=True)
    assert "No UK mobile number on record" in refused.content.decode()  # the office is told to fix the number first
    Person.objects.filter(pk=world.people["parent.a1"].pk).update(phone="07700 900123")
    response = client.post(f"/institutions/{world.institutions['a1'].pk}/alerts/undelivered/{row.pk}/retry/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "queued"  # the test transaction never commits: deliver it as the worker would
    tasks.deliver_alerts.enqueue(delivery_ids=[row.pk])
    row.refresh_from_db()
    assert row.status == "sent" and len(sms.LocmemBackend.outbox) == 1


def test_the_claim_stops_a_second_send(world) -> None:
    row = _queued(world)
    Delivery.objects.filter(pk=row.pk).update(status="sending")  # another worker claimed it
    assert tasks.deliver_alerts.call(delivery_ids=[row.pk]) == 0
    # Two workers given the same queued row: the second finds it claimed and sends nothing.
    Delivery.objects.filter(pk=row.pk).update(status="queued")
    original = sms.LocmemBackend.send

    def second_worker_runs_meanwhile(self, to, body, reference):  # type: ignore[no-untyped-def]
        assert tasks.deliver_alerts.call(delivery_ids=[row.pk]) == 0
        return original(self, to, body, reference)

    with mock.patch.object(sms.LocmemBackend, "send", second_worker_runs_meanwhile):
        assert tasks.deliver_alerts.call(delivery_ids=[row.pk]) == 1
    assert len(sms.LocmemBackend.outbox) == 1


def test_a_contact_barred_or_ended_since_the_alert_was_made_is_not_sent_to(world) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    learner = world.learners["a1.learnerA1"]
    kept = _contact(world, "Kept")
    barred = _contact(world, "Barred")
    ended = _contact(world, "Ended")
    no_reports = _contact(world, "Noreports")
    rows = [Delivery.objects.create(institution=world.institutions["a1"], recipient=person, channel=Channel.EMAIL,
                                    key=f"late:{kind}", kind=kind, learner=learner, address=person.email,
                                    subject="s", body="b")
            for person, kind in ((kept, "absence"), (barred, "absence"), (ended, "absence"), (no_reports, "report"),
                                 (kept, "report"))]
    ContactLink.objects.filter(contact=barred).update(access_barred=True)
    ContactLink.objects.filter(contact=ended).update(end_date=today() - datetime.timedelta(days=1))
    ContactLink.objects.filter(contact=no_reports).update(may_receive_reports=False)
    with CaptureQueriesContext(connection) as queries:
        assert tasks.deliver_alerts.call(delivery_ids=[row.pk for row in rows]) == 2
    assert sum("people_contactlink" in q["sql"] for q in queries.captured_queries) == 1  # one for the batch
    got = {(row.recipient_id, row.kind): (row.status, row.last_error)
           for row in Delivery.objects.filter(pk__in=[row.pk for row in rows])}
    skipped = ("skipped", "No longer a contact of this learner.")
    assert got == {(kept.pk, "absence"): ("sent", ""), (kept.pk, "report"): ("sent", ""), (barred.pk, "absence"): skipped,
                   (ended.pk, "absence"): skipped, (no_reports.pk, "report"): skipped}
    assert sorted(m.to[0] for m in mail.outbox) == [kept.email, kept.email]


def test_the_office_cannot_retry_an_alert_to_someone_no_longer_a_contact(world) -> None:  # type: ignore[no-untyped-def]
    row = _queued(world, Channel.EMAIL)
    Delivery.objects.filter(pk=row.pk).update(status="failed", last_error="Mail server down")
    ContactLink.objects.filter(contact=world.people["parent.a1"], learner=world.learners["a1.learnerA1"]).update(
        access_barred=True)
    with pytest.raises(ValidationError, match="No longer a contact"):
        services.delivery_retry(actor=world.actor("a1.office"), delivery=row)
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("skipped", "No longer a contact of this learner.")
    assert tasks.deliver_alerts.call(delivery_ids=[row.pk]) == 0 and not mail.outbox


def test_email_carries_the_delivery_id_as_message_id(world) -> None:
    row = _queued(world, Channel.EMAIL)
    tasks.deliver_alerts.call(delivery_ids=[row.pk])
    row.refresh_from_db()
    assert row.status == "sent" and f"alert-{row.pk}" in row.provider_ref
    assert mail.outbox[0].extra_headers["Message-ID"] == row.provider_ref


def test_creating_alerts_for_a_register_of_30_is_a_fixed_number_of_queries(world, django_assert_max_num_queries) -> None:
    from commonroom.people.models import Enrolment, Learner

    _offer(world)
    learners = []
    for n in range(30):
        person = Person.objects.create(given_name=f"Pupil{n}", family_name="Thirty")
        learner = Learner.objects.create(person=person)
        Enrolment.objects.create(institution=world.institutions["a1"], learner=learner, start_date=today())
        learners.append(learner)
        for m in range(2):
            parent = Person.objects.create(given_name=f"P{n}-{m}", family_name="Thirty", email=f"p{n}-{m}@example.org",
                                           phone="07700900999")
            ContactLink.objects.create(learner=learner, contact=parent, relationship="parent", priority=m + 1,
                                       start_date=today())
    # Settings, links with people, school, choices, the insert (in a savepoint) and reading back the ids.
    with django_assert_max_num_queries(9):
        ids = tasks.create_alerts(
            kind="absence", institution_id=world.institutions["a1"].pk, learner_ids=[x.pk for x in learners],
            key_for=lambda pk: f"absence:{pk}:x", compose=lambda g, f, s: services.Message("s", "e", "t"))
    assert len(ids) == 60  # 30 priority-1 contacts, email and text


# Text-message backends.

def test_uk_mobile_numbers_are_normalised() -> None:
    for raw in ("07700 900123", "+44 7700 900123", "+44 (0)7700 900123", "0044 7700-900123"):
        assert sms.normalise_mobile(raw) == "+447700900123", raw
    for raw in ("", "01632 960001", "+33 6 12 34 56 78", "0770090012"):
        assert sms.normalise_mobile(raw) is None, raw


def test_notify_adapter_sends_with_the_reference_and_reports_refusals(settings) -> None:
    """GOV.UK Notify's client with its HTTP session mocked: no network."""
    import json

    import requests
    from notifications_python_client.notifications import NotificationsAPIClient

    settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID = "template-1"
    client = NotificationsAPIClient("test-" + "1" * 8 + "-1111-1111-1111-" + "1" * 12 + "-" + "2" * 8 + "-2222-2222-2222-" + "2" * 12)
    accepted = mock.Mock(status_code=201)
    accepted.json.return_value = {"id": "notify-123"}
    with mock.patch.object(client.request_session, "request", return_value=accepted) as http:
        assert sms.NotifyBackend(client).send("+447700900123", "Hello", "42") == "notify-123"
    method, url = http.call_args.args
    assert method == "POST" and url.endswith("/v2/notifications/sms")
    assert json.loads(http.call_args.kwargs["data"]) == {
        "phone_number": "+447700900123", "template_id": "template-1", "personalisation": {"body": "Hello"},
        "reference": "42"}
    refused = requests.Response()
    refused.status_code = 400
    refused._content = b'{"errors": [{"error": "BadRequestError", "message": "phone_number Not a UK mobile number"}]}'
    with mock.patch.object(client.request_session, "request", return_value=refused), \
            pytest.raises(sms.SmsError, match=r"400.*Not a UK mobile"):
        sms.NotifyBackend(client).send("+447700900123", "Hello", "42")
    with mock.patch.object(client.request_session, "request", side_effect=requests.ConnectionError("down")), \
            pytest.raises(sms.SmsError):
        sms.NotifyBackend(client).send("+447700900123", "Hello", "42")


def test_notify_without_settings_is_a_clear_error(settings) -> None:
    settings.GOVUK_NOTIFY_API_KEY = ""
    with pytest.raises(sms.SmsError, match="GOVUK_NOTIFY_API_KEY"):
        sms.NotifyBackend()


def test_demo_hook_switches_alerts_on_once(world) -> None:
    from types import SimpleNamespace

    from commonroom.notifications.demo import write_demo

    plan = SimpleNamespace(institutions=[SimpleNamespace(id=world.institutions[key].pk) for key in ("a1", "b1")])
    write_demo(plan, today(), 1)
    write_demo(plan, today(), 1)
    assert AlertSettings.objects.filter(offered=["absence", "report", "incident", "message", "homework"]).count() == 2
