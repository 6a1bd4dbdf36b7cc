"""Acceptable use: publishing versions (a new one supersedes, old ones stay as they were), accepting
(idempotent, only the version in force, only one's own audience), denial changes nothing, the pages and the
API, pinned query counts. The persona world's policies are in ``safeguarding/testing_world.py``."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from commonroom.authz.api import NotFound
from commonroom.authz.models import AuditEvent
from commonroom.safeguarding import selectors, services
from commonroom.safeguarding.models import BODY_MAX, AcceptableUseAcceptance, AcceptableUsePolicy
from commonroom.safeguarding.testing_world import policy_named


def _client(world, persona: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.users[persona])
    return client


# Query counts of the pages are pinned (they do not depend on how many people or acceptances there are: the
# figures are counts in SQL and the name lists are capped): a change that adds a query must change them.


def _snapshot() -> tuple[int, int, int, list[tuple]]:
    return (AcceptableUsePolicy.objects.count(), AcceptableUseAcceptance.objects.count(), AuditEvent.objects.count(),
            list(AcceptableUsePolicy.objects.order_by("pk").values_list("pk", "title", "body", "superseded_at")))


# Publishing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["a1.head", "a1.leader", "a1.dsl"])
def test_a_new_version_supersedes_the_one_in_force_and_leaves_it_unchanged(world, persona) -> None:  # type: ignore[no-untyped-def]
    old = policy_named(world, "a1.staff")
    row = services.policy_publish(actor=world.actor(persona), institution=world.institutions["a1"], audience="staff",
                                  title="  Staff   acceptable use  ", body="Lock your screen.\r\n\r\nUse strong passwords.  ")
    assert (row.version, row.title, row.body) == (2, "Staff acceptable use", "Lock your screen.\n\nUse strong passwords.")
    assert row.superseded_at is None and row.published_by_id == world.people[persona].pk
    old_after = AcceptableUsePolicy.objects.get(pk=old.pk)
    assert old_after.superseded_at is not None
    assert (old_after.title, old_after.body, old_after.version) == (old.title, old.body, 1)
    assert AcceptableUsePolicy.objects.filter(institution=world.institutions["a1"], audience="staff",
                                              superseded_at__isnull=True).get() == row
    event = AuditEvent.objects.get(action="acceptable_use.published", object_id=str(row.pk))
    assert event.institution_id == world.institutions["a1"].pk and event.detail["superseded"] == [old.pk]
    # Those who accepted version 1 are asked again.
    assert selectors.pending_count(world.actor("a1.head")) == 1


def test_the_first_version_for_an_audience_is_version_one(world) -> None:  # type: ignore[no-untyped-def]
    row = services.policy_publish(actor=world.actor("solo.head"), institution=world.institutions["solo"],
                                  audience="parents", title="For parents", body="Be kind.")
    assert row.version == 1 and row.institution == world.institutions["solo"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": "   "}, "title"), ({"title": "x" * 201}, "title"), ({"body": "\n \n"}, "body"),
    ({"body": "x" * (BODY_MAX + 1)}, "body"), ({"audience": "governors"}, "audience"),
])
def test_publishing_refuses_bad_input_at_the_field_and_writes_nothing(world, fields, field) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot()
    arguments = {"audience": "staff", "title": "Staff", "body": "Be kind."} | fields
    with pytest.raises(ValidationError) as error:
        services.policy_publish(actor=world.actor("a1.head"), institution=world.institutions["a1"], **arguments)
    assert field in error.value.message_dict
    assert _snapshot() == before


@pytest.mark.parametrize("persona", ["a1.senco", "a1.teacher", "a1.office", "a1.governor", "b1.head", "la1.officer",
                                     "platform.admin", "a1.learnerA1", "parent.a1", "nobody"])
def test_only_the_head_leaders_and_dsl_publish_and_a_refusal_changes_nothing(world, persona) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot()
    with pytest.raises(NotFound):
        services.policy_publish(actor=world.actor(persona), institution=world.institutions["a1"], audience="staff",
                                title="Mine", body="Mine.")
    assert _snapshot() == before


# Accepting ----------------------------------------------------------------------------------------


def test_accepting_twice_keeps_the_first_time(world) -> None:  # type: ignore[no-untyped-def]
    policy = policy_named(world, "a1.learners")
    first = services.policy_accept(actor=world.actor("a1.learnerA1"), policy=policy)
    AcceptableUseAcceptance.objects.filter(pk=first.pk).update(accepted_at=timezone.now() - datetime.timedelta(hours=2))
    again = services.policy_accept(actor=world.actor("a1.learnerA1"), policy=policy)
    assert again.pk == first.pk and again.accepted_at < timezone.now() - datetime.timedelta(hours=1)
    assert AcceptableUseAcceptance.objects.filter(policy=policy, person=world.people["a1.learnerA1"]).count() == 1
    assert AuditEvent.objects.filter(action="acceptable_use.accepted", object_id=str(first.pk)).count() == 1
    assert first.institution_id == policy.institution_id


@pytest.mark.parametrize(("persona", "key"), [
    ("a1.teacher2", "a1.staff"), ("a1.tutor", "a1.staff"), ("a1.learnerB2", "a1.learners"),
    ("parent.a1", "a1.parents"), ("b1.learnerA1", "b1.learners"),
])
def test_anyone_in_the_audience_accepts_for_themself(world, persona, key) -> None:  # type: ignore[no-untyped-def]
    services.policy_accept(actor=world.actor(persona), policy=policy_named(world, key))
    assert AcceptableUseAcceptance.objects.filter(policy=policy_named(world, key), person=world.people[persona]).exists()


@pytest.mark.parametrize(("persona", "key"), [
    ("a1.learnerA2", "a1.learners.old"),  # replaced: only the version in force is accepted
    ("a1.governor", "a1.staff"),  # a governor is not staff
    ("a1.leaver", "a1.learners"),  # no longer on roll
    ("b1.learnerA1", "a1.learners"),  # another school's learners
    ("a1.learnerA1", "a1.staff"),  # another audience
    ("parent.barred", "a1.parents"),  # barred from their only child there
    ("parent.two", "a1.staff"),
    ("a1.head", "a1.learners"),  # managers read it, but it is not theirs to accept
    ("la1.officer", "a1.staff"),
    ("platform.admin", "a1.staff"),
])
def test_nobody_else_accepts_and_a_refusal_changes_nothing(world, persona, key) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot()
    with pytest.raises(NotFound):
        services.policy_accept(actor=world.actor(persona), policy=policy_named(world, key))
    assert _snapshot() == before


def test_my_policies_lists_what_awaits_and_what_was_accepted(world) -> None:  # type: ignore[no-untyped-def]
    mine = selectors.my_policies(world.actor("a1.learnerA1"))
    assert [p.pk for p in mine.pending] == [policy_named(world, "a1.learners").pk]
    assert [a.policy_id for a in mine.accepted] == [policy_named(world, "a1.learners.old").pk]
    two = selectors.my_policies(world.actor("parent.two"))  # a1's parents' policy accepted; b1 has none for parents
    assert not two.pending and [a.policy_id for a in two.accepted] == [policy_named(world, "a1.parents").pk]
    assert selectors.pending_count(world.actor("a1.governor")) == 0
    assert selectors.pending_count(world.actor("parent.barred")) == 0
    assert selectors.pending_count(world.actor("a1.leader")) == 1  # the staff policy


# Pages --------------------------------------------------------------------------------------------


def test_a_learner_reads_and_accepts_on_the_page(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "a1.learnerA1")
    client.get("/")
    with django_assert_max_num_queries(9):
        page = client.get("/acceptable-use/").content.decode()
    assert "A1 learners acceptable use" in page and "I accept" in page and "since replaced" in page
    policy = policy_named(world, "a1.learners")
    detail = client.get(f"/acceptable-use/{policy.pk}/").content.decode()
    assert "Be kind online." in detail and "I accept" in detail
    response = client.post(f"/acceptable-use/{policy.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == "/acceptable-use/"
    after = client.get("/acceptable-use/").content.decode()
    assert "Nothing is waiting for you to accept." in after
    assert "You accepted this policy on" in client.get(f"/acceptable-use/{policy.pk}/").content.decode()
    assert "acceptable-use policy is waiting" not in client.get("/").content.decode()


def test_the_old_version_stays_readable_without_an_accept_button(world) -> None:  # type: ignore[no-untyped-def]
    old = policy_named(world, "a1.learners.old")
    page = _client(world, "a1.learnerB1").get(f"/acceptable-use/{old.pk}/").content.decode()
    assert "This version was replaced on" in page and "I accept" not in page


def test_leaders_publish_with_errors_at_the_field_and_see_figures(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    inst = world.institutions["a1"]
    client = _client(world, "a1.dsl")
    client.get("/")
    with django_assert_max_num_queries(13):
        page = client.get(f"/institutions/{inst.pk}/acceptable-use/").content.decode()
    assert "A1 staff acceptable use" in page and "Publish a new version" in page
    assert ">1 (12.5%)</td>" in page  # staff: the head of 8
    assert ">1 (25.0%)</td>" in page  # learners: learnerA2 of 4 (learnerA1 accepted version 1 only)
    refused = client.post(f"/institutions/{inst.pk}/acceptable-use/", {"audience": "learners", "title": "", "body": "x"})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "There is a problem" in html and 'href="#id_title"' in html and "Give the policy a title." in html
    done = client.post(f"/institutions/{inst.pk}/acceptable-use/",
                       {"audience": "learners", "title": "Learners v3", "body": "Kind.\n\nSafe."})
    assert done.status_code == 302
    assert policy_named(world, "a1.learners").superseded_at is not None
    home = _client(world, "a1.head").get("/").content.decode()
    assert f"/institutions/{inst.pk}/acceptable-use/" in home
    assert f"/institutions/{inst.pk}/acceptable-use/" not in _client(world, "a1.senco").get("/").content.decode()


def test_leaders_see_who_has_not_accepted(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    inst = world.institutions["a1"]
    client = _client(world, "a1.head")
    client.get("/")
    with django_assert_max_num_queries(12):
        page = client.get(f"/institutions/{inst.pk}/acceptable-use/learners/").content.decode()
    waiting, accepted = page.split("Not accepted yet (3)")[1].split("Accepted (1)")
    for who in ("a1.learnerA1", "a1.learnerB1", "a1.learnerB2"):
        assert world.people[who].full_name in waiting
    assert world.people["a1.learnerA2"].full_name in accepted
    assert world.people["a1.leaver"].full_name not in page
    parents = client.get(f"/institutions/{inst.pk}/acceptable-use/parents/").content.decode()
    assert world.people["parent.a1"].full_name in parents and world.people["parent.two"].full_name in parents
    assert world.people["parent.barred"].full_name not in parents
    assert client.get(f"/institutions/{inst.pk}/acceptable-use/governors/").status_code == 404


def test_a_leader_barred_from_a_learner_does_not_see_their_name(world) -> None:  # type: ignore[no-untyped-def]
    from commonroom.common.dates import today
    from commonroom.people.models import ContactLink

    ContactLink.objects.create(learner=world.learners["a1.learnerB1"], contact=world.people["a1.dsl"],
                               relationship=ContactLink.Relationship.PARENT, priority=3, access_barred=True,
                               start_date=today())
    page = _client(world, "a1.dsl").get(f"/institutions/{world.institutions['a1'].pk}/acceptable-use/learners/")
    html = page.content.decode()
    assert world.people["a1.learnerB1"].full_name not in html and world.people["a1.learnerB2"].full_name in html


def test_a_leader_barred_from_a_learner_does_not_see_that_learners_family_either(world) -> None:  # type: ignore[no-untyped-def]
    """parent.a1's only child at a1 is learnerA1: a DSL barred from learnerA1 does not see them listed;
    parent.two (learnerA2's parent) is still there."""
    from commonroom.common.dates import today
    from commonroom.people.models import ContactLink

    ContactLink.objects.create(learner=world.learners["a1.learnerA1"], contact=world.people["a1.dsl"],
                               relationship=ContactLink.Relationship.PARENT, priority=3, access_barred=True,
                               start_date=today())
    html = _client(world, "a1.dsl").get(f"/institutions/{world.institutions['a1'].pk}/acceptable-use/parents/") \
        .content.decode()
    assert world.people["parent.a1"].full_name not in html and world.people["parent.two"].full_name in html
    head = _client(world, "a1.head").get(f"/institutions/{world.institutions['a1'].pk}/acceptable-use/parents/")
    assert world.people["parent.a1"].full_name in head.content.decode()


# API ----------------------------------------------------------------------------------------------


def test_the_api_lists_accepts_publishes_and_sums_up(world) -> None:  # type: ignore[no-untyped-def]
    inst = world.institutions["a1"]
    learner = _client(world, "a1.learnerA1")
    mine = learner.get("/api/v1/acceptable-use").json()
    policy = policy_named(world, "a1.learners")
    assert [p["id"] for p in mine["pending"]] == [policy.pk]
    assert mine["accepted"][0]["policy"]["in_force"] is False
    first = learner.post(f"/api/v1/acceptable-use/{policy.pk}/accept")
    again = learner.post(f"/api/v1/acceptable-use/{policy.pk}/accept")
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["accepted_at"] == again.json()["accepted_at"]
    head = _client(world, "a1.head")
    refused = head.post(f"/api/v1/institutions/{inst.pk}/acceptable-use/policies",
                        data=json.dumps({"audience": "staff", "title": " ", "body": "x"}), content_type="application/json")
    assert refused.status_code == 422 and "title" in refused.content.decode()
    made = head.post(f"/api/v1/institutions/{inst.pk}/acceptable-use/policies",
                     data=json.dumps({"audience": "parents", "title": "Parents v2", "body": "Kind."}),
                     content_type="application/json")
    assert made.status_code == 201 and made.json()["version"] == 2
    versions = head.get(f"/api/v1/institutions/{inst.pk}/acceptable-use/policies").json()
    assert len(versions) == 5  # staff 1, learners 1 and 2, parents 1 and 2
    summary = {row["audience"]: row for row in head.get(f"/api/v1/institutions/{inst.pk}/acceptable-use/summary").json()}
    assert (summary["learners"]["accepted"], summary["learners"]["people"]) == (2, 4)
    assert (summary["staff"]["accepted"], summary["staff"]["people"]) == (1, 8)
    assert (summary["parents"]["accepted"], summary["parents"]["people"], summary["parents"]["version"]) == (0, 2, 2)
    assert learner.get(f"/api/v1/institutions/{inst.pk}/acceptable-use/summary").status_code == 404
