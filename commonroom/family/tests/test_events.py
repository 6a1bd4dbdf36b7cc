"""School events: the office adds, changes and deletes them; families see published ones for their child."""

from __future__ import annotations

import datetime

from commonroom.authz.models import AuditEvent
from commonroom.common.dates import today
from commonroom.family.models import Event


def test_office_adds_an_event_for_form_b_and_only_form_b_families_see_it(client, world) -> None:
    client.force_login(world.users["a1.office"])
    inst = world.institutions["a1"]
    day = (today() + datetime.timedelta(days=3)).isoformat()
    bad = client.post(f"/institutions/{inst.pk}/events/new/", {"title": "", "all_day": "1", "whole_school": "0"})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    bad = client.post(f"/institutions/{inst.pk}/events/new/", {"title": "Form B photo", "all_day": "1", "start_date": day,
                                                               "whole_school": "0"})
    assert "Choose the groups" in bad.content.decode() and "Form B photo" in bad.content.decode()  # nothing lost
    response = client.post(f"/institutions/{inst.pk}/events/new/", {
        "title": "Form B photo", "all_day": "1", "start_date": day, "whole_school": "0",
        "group_ids": [world.groups["a1.formB"].pk], "published": "on"})
    assert response.status_code == 302
    event = Event.objects.get(title="Form B photo")
    assert AuditEvent.objects.filter(action="family.event_create", object_id=str(event.pk)).exists()
    client.force_login(world.users["a1.learnerB1"])
    assert "Form B photo" in client.get(f"/children/{world.learners['a1.learnerB1'].pk}/").content.decode()
    client.force_login(world.users["parent.two"])
    assert "Form B photo" not in client.get(f"/children/{world.learners['a1.learnerA2'].pk}/").content.decode()


def test_another_schools_group_is_refused(client, world) -> None:
    client.force_login(world.users["a1.office"])
    response = client.post(f"/api/v1/institutions/{world.institutions['a1'].pk}/events", data={
        "title": "X", "start_date": today().isoformat(), "whole_school": False, "group_ids": [world.groups["b1.formA"].pk]},
        content_type="application/json")
    assert response.status_code == 422
    assert not Event.objects.filter(title="X").exists()


def test_timed_events_and_edit_and_delete(client, world) -> None:
    client.force_login(world.users["a1.head"])
    inst = world.institutions["a1"]
    starts = (today() + datetime.timedelta(days=2)).isoformat()
    created = client.post(f"/api/v1/institutions/{inst.pk}/events", data={
        "title": "Parents' evening", "all_day": False, "starts_at": f"{starts}T17:00:00Z", "ends_at": f"{starts}T16:00:00Z"},
        content_type="application/json")
    assert created.status_code == 422
    created = client.post(f"/api/v1/institutions/{inst.pk}/events", data={
        "title": "Parents' evening", "all_day": False, "starts_at": f"{starts}T17:00:00Z", "ends_at": f"{starts}T19:00:00Z",
        "published": True}, content_type="application/json")
    assert created.status_code == 201, created.content
    event_id = created.json()["id"]
    page = client.get(f"/institutions/{inst.pk}/events/{event_id}/")
    assert page.status_code == 200 and "Parents&#x27; evening" in page.content.decode()
    listed = client.get(f"/api/v1/institutions/{inst.pk}/events").json()
    assert {"Parents' evening", "Staff INSET (draft)"} <= {row["title"] for row in listed}
    assert client.post(f"/institutions/{inst.pk}/events/{event_id}/delete/").status_code == 302
    assert not Event.objects.filter(pk=event_id).exists()


def test_teacher_sees_the_list_but_cannot_change_it(client, world) -> None:
    client.force_login(world.users["a1.teacher"])
    inst = world.institutions["a1"]
    page = client.get(f"/institutions/{inst.pk}/events/").content.decode()
    assert "Staff INSET (draft)" in page and "Add an event" not in page
    trip = Event.objects.get(title="Form A trip")
    assert client.post(f"/institutions/{inst.pk}/events/{trip.pk}/delete/").status_code == 404
    assert Event.objects.filter(pk=trip.pk).exists()


def test_school_contact_details_show_on_the_child_page(client, world) -> None:
    client.force_login(world.users["b1.office"])
    inst = world.institutions["b1"]
    response = client.post(f"/institutions/{inst.pk}/contact-details/", {"phone": "0111 222333", "email": "not-an-email"})
    assert response.status_code == 200 and "0111 222333" in response.content.decode()
    client.post(f"/institutions/{inst.pk}/contact-details/", {"phone": "0111 222333", "email": "office@b1.example.org",
                                                              "address": "1 High Street"})
    client.force_login(world.users["parent.two"])
    summary = client.get(f"/api/v1/children/{world.learners['b1.learnerA1'].pk}").json()
    assert summary["schools"][0]["phone"] == "0111 222333" and summary["schools"][0]["name"] == inst.name


def test_demo_hook_writes_events_per_school(world) -> None:
    from types import SimpleNamespace

    from commonroom.family.demo import write_demo

    year = world.groups["a1.year10"]
    plan = SimpleNamespace(institutions=[SimpleNamespace(id=world.institutions["a1"].pk, groups=[
        SimpleNamespace(kind="year", name=year.name, id=year.pk)])])
    assert write_demo(plan, today(), 2026) == "4 school events"
    trip = Event.objects.get(title="Year 10 trip")
    assert list(trip.groups.all()) == [year] and not trip.whole_school


def test_times_without_a_timezone_are_refused_naming_the_field(client, world) -> None:
    """Naive times are an input error (422 naming the field), never a 500, on create and on change."""
    client.force_login(world.users["a1.head"])
    inst = world.institutions["a1"]
    day = (today() + datetime.timedelta(days=3)).isoformat()
    url = f"/api/v1/institutions/{inst.pk}/events"
    response = client.post(url, data={"title": "Naive", "all_day": False, "starts_at": f"{day}T17:00:00",
                                      "ends_at": f"{day}T19:00:00Z"}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert "starts_at" in response.content.decode() and "ends_at" not in response.content.decode()
    response = client.post(url, data={"title": "Naive", "all_day": False, "starts_at": f"{day}T17:00:00Z",
                                      "ends_at": f"{day}T19:00:00"}, content_type="application/json")
    assert response.status_code == 422 and "ends_at" in response.content.decode()
    assert not Event.objects.filter(title="Naive").exists()
    created = client.post(url, data={"title": "Aware", "all_day": False, "starts_at": f"{day}T17:00:00+01:00",
                                     "ends_at": f"{day}T19:00:00+01:00"}, content_type="application/json")
    assert created.status_code == 201, created.content
    changed = client.put(f"/api/v1/events/{created.json()['id']}", data={
        "title": "Aware", "all_day": False, "starts_at": f"{day}T17:00:00", "ends_at": f"{day}T18:00:00"},
        content_type="application/json")
    assert changed.status_code == 422 and "starts_at" in changed.content.decode() and "ends_at" in changed.content.decode()
