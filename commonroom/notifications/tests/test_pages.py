"""The alert pages and API over the persona world."""

from __future__ import annotations

from commonroom.authz.models import AuditEvent
from commonroom.notifications.models import AlertPreference, AlertSettings, Delivery


def _offer(world, inst: str, kinds: list[str]) -> None:  # type: ignore[no-untyped-def]
    AlertSettings.objects.update_or_create(institution=world.institutions[inst], defaults={"offered": kinds})


def test_a_parent_of_two_schools_chooses_channels_and_sees_recent_alerts(client, world) -> None:
    _offer(world, "a1", ["absence"])
    _offer(world, "b1", ["absence", "report"])
    client.force_login(world.users["parent.two"])
    page = client.get("/account/alerts/").content.decode()
    assert "Absent with no reason given" in page and "A report is published" in page
    assert "A behaviour incident" not in page  # neither school sends it
    assert page.count("Not marked present this morning") == 2  # the world's alerts to parent.two
    response = client.post("/account/alerts/", {"channels_absence": ["sms"], "channels_report": []})
    assert response.status_code == 302
    chosen = dict(AlertPreference.objects.filter(person=world.people["parent.two"]).values_list("kind", "sms"))
    assert chosen == {"absence": True, "report": False}
    assert AuditEvent.objects.filter(action="alerts.preferences_saved").exists()


def test_a_parent_sees_no_alerts_about_a_barred_child(client, world) -> None:
    client.force_login(world.users["parent.barred"])
    assert client.get("/account/alerts/").status_code == 404
    assert client.get("/api/v1/alerts/preferences").status_code == 404


def test_school_settings_form_keeps_input_on_error_and_saves(client, world) -> None:
    client.force_login(world.users["a1.office"])
    url = f"/institutions/{world.institutions['a1'].pk}/alerts/"
    page = client.post(url, {"offered": ["absence", "incident"], "absence_recipients": "parental_responsibility",
                             "min_incident_severity": "2", "retry_limit": "40"})
    body = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in body and 'value="40"' in body
    assert client.post(url, {"offered": ["absence", "incident"], "absence_recipients": "parental_responsibility",
                             "min_incident_severity": "2", "retry_limit": "4"}).status_code == 302
    row = AlertSettings.objects.get(institution=world.institutions["a1"])
    assert (row.offered, row.absence_recipients, row.min_incident_severity, row.retry_limit) == (
        ["absence", "incident"], "parental_responsibility", 2, 4)
    assert AuditEvent.objects.filter(action="alerts.settings_saved", institution=world.institutions["a1"]).exists()


def _failed_rows(world, count: int) -> None:  # type: ignore[no-untyped-def]
    Delivery.objects.bulk_create(
        Delivery(institution=world.institutions["a1"], recipient=world.people["parent.two"], channel="email",
                 key=f"many:{n}", kind="absence", learner=world.learners["a1.learnerA2"], address="x@example.org",
                 subject=f"Alert {n}", body="b", status="failed", attempts=5, last_error="Mail server down")
        for n in range(count))


def test_undelivered_list_costs_the_same_for_few_or_many(client, world, django_assert_max_num_queries) -> None:
    client.force_login(world.users["a1.office"])
    url = f"/institutions/{world.institutions['a1'].pk}/alerts/undelivered/"
    client.get(url)
    _failed_rows(world, 3)
    with django_assert_max_num_queries(16) as few:
        assert client.get(url).status_code == 200
    Delivery.objects.filter(key__startswith="many:").delete()
    _failed_rows(world, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Alert 29" in page and "Mail server down" in page
    # The skipped text to parent.barred is the office's to see (parent.barred is not told).
    assert "Chris Barred" in page


def test_api_settings_preferences_and_retry(client, world) -> None:
    _offer(world, "a1", ["absence"])
    client.force_login(world.users["parent.a1"])
    bad = client.put("/api/v1/alerts/preferences", {"preferences": [{"kind": "report", "email": True, "sms": True}]},
                     content_type="application/json")
    assert bad.status_code == 422
    good = client.put("/api/v1/alerts/preferences", {"preferences": [{"kind": "absence", "email": False, "sms": True}]},
                      content_type="application/json")
    assert good.json() == {"offered": ["absence"], "preferences": [{"kind": "absence", "email": False, "sms": True}]}
    client.force_login(world.users["a1.head"])
    url = f"/api/v1/institutions/{world.institutions['a1'].pk}/alerts"
    assert client.get(url).json()["undelivered"] == 2  # the world's failed email and skipped text at a1
    invalid = client.put(url, {"offered": ["bedtime"], "absence_recipients": "priority_one", "min_incident_severity": 3,
                               "retry_limit": 5}, content_type="application/json")
    assert invalid.status_code == 422
    rows = client.get(f"{url}/undelivered").json()
    assert {row["status"] for row in rows} == {"failed", "skipped"}
    failed = next(row for row in rows if row["status"] == "failed")
    retried = client.post(f"/api/v1/alerts/deliveries/{failed['id']}/retry", content_type="application/json")
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    again = client.post(f"/api/v1/alerts/deliveries/{failed['id']}/retry", content_type="application/json")
    assert again.status_code == 422  # no longer waiting
