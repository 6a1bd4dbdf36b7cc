"""Parents ask for changes of details; the office approves (the one record changes) or rejects."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from commonroom.authz.api import NotFound, can, visible
from commonroom.authz.models import AuditEvent
from commonroom.liaison import services
from commonroom.liaison.models import DetailChange
from commonroom.people.models import Learner, Person
from commonroom.testing import oracle_liaison as oracle

PERSONAS = ["a1.head", "a1.leader", "a1.senco", "a1.office", "a1.teacher2", "a1.tutor", "a1.learnerA1", "b1.office",
            "b1.head", "parent.a1", "parent.two", "parent.barred", "la1.officer", "platform.admin", "nobody"]


def _change(world, key: str) -> DetailChange:  # type: ignore[no-untyped-def]
    about, field = key.split(":")
    return DetailChange.objects.get(person=world.people[about], field=field, status="pending")


@pytest.mark.parametrize("persona", PERSONAS)
def test_rules_agree_with_the_oracle(world, persona: str) -> None:
    actor = world.actor(persona)
    for key in ("parent.two:phone", "a1.learnerA1:dietary_needs"):
        assert can(actor, "decide", _change(world, key)) == oracle.may_decide_change(persona, key), key
    for learner in ("a1.learnerA1", "a1.learnerA2", "b1.learnerA1"):
        assert can(actor, "request_detail_change", world.learners[learner]) == oracle.may_report_absence(persona, learner)


def test_parents_see_only_their_own_requests(world) -> None:
    def fields(persona: str) -> set[str]:
        return set(visible(world.actor(persona), DetailChange).values_list("field", flat=True))

    assert fields("parent.a1") == {"dietary_needs"}
    assert fields("parent.two") == {"phone"}
    assert fields("parent.barred") == set() and fields("a1.teacher2") == set() and fields("la1.officer") == set()
    assert fields("a1.office") == {"phone", "dietary_needs"}
    assert fields("b1.office") == {"phone"}  # parent.two has a child at b1 too


def test_a_request_keeps_old_and_new_values_one_per_changed_field(world) -> None:
    parent = world.people["parent.a1"]
    before_phone = parent.phone
    changes = services.detail_changes_request(actor=world.actor("parent.a1"),
                                              values={"email": parent.email, "phone": "07700 900123"})
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [("phone", before_phone, "07700 900123")]
    with pytest.raises(ValidationError) as error:
        services.detail_changes_request(actor=world.actor("parent.a1"), values={"email": "not an email", "phone": "x"})
    assert set(error.value.message_dict) == {"email", "phone"}
    with pytest.raises(ValidationError):
        services.detail_changes_request(actor=world.actor("parent.a1"), values={"email": parent.email})


def test_nobody_asks_for_another_persons_record(world) -> None:
    with pytest.raises(NotFound):
        services.detail_changes_request(actor=world.actor("parent.two"), learner=world.learners["a1.learnerA1"],
                                        values={"medical_notes": "x"})
    with pytest.raises(NotFound):
        services.detail_changes_request(actor=world.actor("parent.barred"), values={"phone": "07700 900000"})
    with pytest.raises(NotFound):
        services.detail_changes_request(actor=world.actor("parent.barred"), learner=world.learners["a1.learnerA1"],
                                        values={"medical_notes": "x"})
    with pytest.raises(ValidationError):  # a parent cannot ask to change a child's email through this route
        services.detail_changes_request(actor=world.actor("parent.a1"), learner=world.learners["a1.learnerA1"],
                                        values={"email": "child@example.org"})


def test_approval_updates_the_one_record_once_and_it_is_read_everywhere(client, world) -> None:
    change = _change(world, "a1.learnerA1:dietary_needs")
    services.detail_change_approve(actor=world.actor("a1.office"), change=change, institution=world.institutions["a1"])
    learner = Learner.objects.get(pk=world.learners["a1.learnerA1"].pk)
    assert learner.dietary_needs == "No nuts (allergy)"
    assert AuditEvent.objects.filter(action="people.dietary_needs_changed", learner=learner).count() == 1
    # Approving again changes nothing more.
    services.detail_change_approve(actor=world.actor("a1.office"), change=change, institution=world.institutions["a1"])
    assert AuditEvent.objects.filter(action="people.dietary_needs_changed", learner=learner).count() == 1
    # The staff page for the learner reads the same row.
    client.force_login(world.users["a1.tutor"])
    assert "No nuts (allergy)" in client.get(f"/learners/{learner.pk}/").content.decode()
    client.force_login(world.users["parent.a1"])
    page = client.get("/account/details/").content.decode()
    assert "Approved" in page and "No nuts (allergy)" in page


def test_a_stale_change_is_refused_then_decided_afresh(client, world) -> None:
    change = _change(world, "parent.two:phone")
    Person.objects.filter(pk=world.people["parent.two"].pk).update(phone="01632 960000")  # changed by the office meanwhile
    office = world.actor("b1.office")
    with pytest.raises(services.StaleChange) as stale:
        services.detail_change_approve(actor=office, change=change, institution=world.institutions["b1"])
    assert stale.value.current == "01632 960000"
    assert Person.objects.get(pk=world.people["parent.two"].pk).phone == "01632 960000"
    # The page says so and asks again; approving from it is a fresh decision.
    client.force_login(world.users["b1.office"])
    url = f"/institutions/{world.institutions['b1'].pk}/detail-changes/{change.pk}/"
    page = client.get(url)
    assert "has changed since the parent asked" in page.content.decode()
    assert client.post(url, {"action": "approve", "note": "", "seen_current": "01632 960000", "seen": "True"}).status_code == 302
    assert Person.objects.get(pk=world.people["parent.two"].pk).phone == "07700 900222"


def test_a_change_made_after_the_page_opened_is_caught(client, world) -> None:
    change = _change(world, "parent.two:phone")
    client.force_login(world.users["a1.office"])
    url = f"/institutions/{world.institutions['a1'].pk}/detail-changes/{change.pk}/"
    client.get(url)
    Person.objects.filter(pk=world.people["parent.two"].pk).update(phone="01632 960001")
    response = client.post(url, {"action": "approve", "note": "ok", "seen_current": "", "seen": "False"})
    assert response.status_code == 200 and "The record has changed" in response.content.decode()
    assert 'value="ok"' in response.content.decode()
    assert Person.objects.get(pk=world.people["parent.two"].pk).phone == "01632 960001"


def test_rejecting_needs_a_note(client, world) -> None:
    change = _change(world, "a1.learnerA1:dietary_needs")
    client.force_login(world.users["a1.office"])
    url = f"/institutions/{world.institutions['a1'].pk}/detail-changes/{change.pk}/"
    response = client.post(url, {"action": "reject", "note": ""})
    assert response.status_code == 200 and "note" in response.context["form"].errors
    assert client.post(url, {"action": "reject", "note": "Please send the doctor's letter"}).status_code == 302
    change.refresh_from_db()
    assert change.status == "rejected" and Learner.objects.get(pk=change.learner_id).dietary_needs == ""


def test_another_school_cannot_decide_a_childs_change(world) -> None:
    with pytest.raises(NotFound):
        services.detail_change_approve(actor=world.actor("b1.office"), change=_change(world, "a1.learnerA1:dietary_needs"),
                                       institution=world.institutions["b1"])


def test_the_parents_form_keeps_input_on_error(client, world) -> None:
    client.force_login(world.users["parent.two"])
    response = client.post("/account/details/", {"email": "sam at example", "phone": "07700 900555"})
    assert response.status_code == 200 and "email" in response.context["form"].errors
    page = response.content.decode()
    assert 'value="sam at example"' in page and 'value="07700 900555"' in page and "There is a problem" in page
    learner = world.learners["a1.learnerA2"]
    assert client.post(f"/children/{learner.pk}/details/", {"medical_notes": "Asthma: inhaler in bag",
                                                          "dietary_needs": ""}).status_code == 302
    assert DetailChange.objects.filter(learner=learner, field="medical_notes", status="pending").exists()


def test_the_api_round_trip(client, world) -> None:
    client.force_login(world.users["parent.a1"])
    created = client.post("/api/v1/detail-changes", {"values": {"phone": "07700 900777"}}, content_type="application/json")
    assert created.status_code == 201, created.content
    change_id = created.json()[0]["id"]
    assert change_id in {row["id"] for row in client.get("/api/v1/detail-changes").json()}
    client.force_login(world.users["a1.office"])
    queue = client.get(f"/api/v1/institutions/{world.institutions['a1'].pk}/detail-changes").json()
    assert change_id in {row["id"] for row in queue}
    Person.objects.filter(pk=world.people["parent.a1"].pk).update(phone="01632 960002")
    stale = client.post(f"/api/v1/detail-changes/{change_id}/approve", {}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["current_value"] == "01632 960002"
    fresh = client.post(f"/api/v1/detail-changes/{change_id}/approve", {"seen_current": "01632 960002"},
                        content_type="application/json")
    assert fresh.status_code == 200 and fresh.json()["status"] == "approved"
    assert Person.objects.get(pk=world.people["parent.a1"].pk).phone == "07700 900777"


def test_the_queue_has_a_fixed_query_budget(client, world, django_assert_max_num_queries) -> None:
    client.force_login(world.users["a1.office"])
    url = f"/institutions/{world.institutions['a1'].pk}/detail-changes/"
    client.get(url)
    with django_assert_max_num_queries(12):
        client.get(url)
    for who in ("learnerA2", "learnerB1", "learnerB2"):
        learner = world.learners[f"a1.{who}"]
        for field in ("medical_notes", "dietary_needs"):
            DetailChange.objects.create(person_id=learner.pk, learner=learner, field=field, new_value="x",
                                        requested_by=world.people["parent.two"])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
