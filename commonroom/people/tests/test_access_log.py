"""Who has looked at a learner's record: the learner, their guardians and the head see it; nobody else."""

from __future__ import annotations

import pytest

from commonroom.authz.models import AuditEvent


def _look(client, world, persona: str, learner: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users[persona])
    assert client.get(f"/learners/{world.learners[learner].pk}/").status_code == 200
    client.logout()


@pytest.mark.django_db
def test_the_learner_sees_teachers_and_parents_who_looked(client, world) -> None:  # type: ignore[no-untyped-def]
    _look(client, world, "a1.teacher", "a1.learnerA1")
    _look(client, world, "parent.a1", "a1.learnerA1")
    client.force_login(world.users["a1.learnerA1"])
    page = client.get(f"/learners/{world.learners['a1.learnerA1'].pk}/access-log/").content.decode()
    assert world.users["a1.teacher"].get_full_name() in page
    assert world.users["parent.a1"].get_full_name() in page
    assert "Looked at" in page and "A1 Secondary school (test)" in page


@pytest.mark.django_db
def test_a_parent_sees_staff_and_themselves_but_not_the_other_parent(client, world) -> None:  # type: ignore[no-untyped-def]
    from commonroom.people.models import ContactLink

    learner = world.learners["a1.learnerA1"]
    # parent.two becomes a second (not barred) parent of a1.learnerA1 and looks.
    ContactLink.objects.create(learner=learner, contact=world.people["parent.two"], relationship="parent",
                               start_date=world.links["parent.a1>a1.learnerA1"].start_date)
    _look(client, world, "parent.two", "a1.learnerA1")
    _look(client, world, "a1.head", "a1.learnerA1")
    _look(client, world, "parent.a1", "a1.learnerA1")
    client.force_login(world.users["parent.a1"])
    response = client.get(f"/learners/{learner.pk}/access-log/")
    page = response.content.decode()
    assert world.users["a1.head"].get_full_name() in page
    assert world.users["parent.a1"].get_full_name() in page
    assert world.users["parent.two"].get_full_name() not in page
    # The head sees both parents' visits (they carry no institution: the family acts through no role).
    client.force_login(world.users["a1.head"])
    page = client.get(f"/learners/{learner.pk}/access-log/").content.decode()
    assert world.users["parent.two"].get_full_name() in page
    assert world.users["parent.a1"].get_full_name() in page


@pytest.mark.django_db
def test_the_api_pages_the_log_and_matches_the_page(client, world) -> None:  # type: ignore[no-untyped-def]
    _look(client, world, "a1.teacher", "a1.learnerA1")
    client.force_login(world.users["a1.learnerA1"])
    body = client.get(f"/api/v1/learners/{world.learners['a1.learnerA1'].pk}/access-log?page_size=1").json()
    assert body["count"] == AuditEvent.objects.filter(learner=world.learners["a1.learnerA1"]).count()
    assert len(body["items"]) == 1 and body["items"][0]["verb"] in ("looked at", "recorded")


@pytest.mark.parametrize("persona", ["a1.teacher", "a1.office", "a1.dsl", "la1.officer", "parent.barred", "b1.head"])
def test_others_cannot_learn_the_log_exists(client, world, persona: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users[persona])
    assert client.get(f"/learners/{world.learners['a1.learnerA1'].pk}/access-log/").status_code == 404


@pytest.mark.django_db
def test_the_page_costs_the_same_whatever_the_log_length(client, world, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    learner = world.learners["a1.learnerA1"]
    _look(client, world, "a1.teacher", "a1.learnerA1")
    client.force_login(world.users["a1.learnerA1"])
    url = f"/learners/{learner.pk}/access-log/"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_label="Someone", action="read.profile", object_type="people.learner", object_id=str(learner.pk),
                   learner=learner, institution=world.institutions["a1"]) for _ in range(120)
    )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.django_db
def test_a_parents_messages_with_the_school_stay_out_of_the_childs_and_other_parents_logs(client, world) -> None:  # type: ignore[no-untyped-def]
    from commonroom.messaging import services as messaging
    from commonroom.people.models import ContactLink

    learner = world.learners["a1.learnerA1"]
    ContactLink.objects.create(learner=learner, contact=world.people["parent.two"], relationship="parent",
                               start_date=world.links["parent.a1>a1.learnerA1"].start_date)
    conversation = messaging.conversation_start(
        actor=world.actor("parent.two"), learner=learner, institution=world.institutions["a1"], addressed_to="office",
        subject="Private", body="About home.")
    client.force_login(world.users["a1.office"])
    assert client.get(f"/messages/conversations/{conversation.pk}/").status_code == 200  # staff read it (audited)
    messaging.conversation_reply(actor=world.actor("a1.office"), conversation=conversation, body="Noted.")

    def log(persona: str) -> str:
        client.force_login(world.users[persona])
        return client.get(f"/learners/{learner.pk}/access-log/").content.decode()

    assert "conversation" not in log("parent.a1") and "replied" not in log("parent.a1")
    assert "conversation" not in log("a1.learnerA1") and "replied" not in log("a1.learnerA1")
    mine = log("parent.two")
    assert "conversation started" in mine  # their own action
    assert "conversation" in log("a1.head")  # the school sees everything recorded there
