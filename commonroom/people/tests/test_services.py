"""learner_enrol and contact_add: the whole write or nothing, and only by office or leadership staff."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from commonroom.authz.api import NotFound
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import today
from commonroom.people.identifiers import make_upn
from commonroom.people.models import ContactLink, Enrolment, GroupMembership, Learner, Person
from commonroom.people.services import contact_add, learner_enrol

NEW_UPN = make_upn("801", "4001", 24, 1)  # the world allocates its UPNs in year 20
NEW_ULN = "9276308686"
COUNTED = (Person, Learner, Enrolment, GroupMembership, AuditEvent)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def enrol(world, persona="a1.office", institution="a1", **overrides):
    fields = {
        "given_name": "Nia",
        "family_name": "Newstart",
        "date_of_birth": datetime.date(2010, 5, 4),
        "upn": NEW_UPN,
        "uln": NEW_ULN,
        "groups": [world.groups["a1.formA"], world.groups["a1.maths"]],
    }
    fields.update(overrides)
    return learner_enrol(actor=world.actor(persona), institution=world.institutions[institution], **fields)


def test_office_enrols_a_learner_with_everything_in_one_go(world):
    before = counts()
    learner = enrol(world)
    after = counts()
    assert {name: after[name] - before[name] for name in after} == {
        "Person": 1, "Learner": 1, "Enrolment": 1, "GroupMembership": 2, "AuditEvent": 1,
    }  # fmt: skip
    learner.refresh_from_db()
    assert learner.person.family_name == "Newstart"
    assert learner.upn == NEW_UPN and learner.uln == NEW_ULN
    enrolment = Enrolment.objects.get(learner=learner)
    assert enrolment.institution == world.institutions["a1"] and enrolment.start_date == today()
    assert set(GroupMembership.objects.filter(learner=learner).values_list("group_id", flat=True)) == {
        world.groups["a1.formA"].pk, world.groups["a1.maths"].pk,
    }  # fmt: skip
    event = AuditEvent.objects.get(action="learner.enrol", learner=learner)
    assert event.institution_id == world.institutions["a1"].pk
    assert event.actor_id == world.people["a1.office"].pk


def test_upn_is_normalised(world):
    learner = enrol(world, upn=f"  {NEW_UPN.lower()[:5]} {NEW_UPN.lower()[5:]} ")
    assert learner.upn == NEW_UPN


def _assert_rejected_on(world, field, **overrides):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        enrol(world, **overrides)
    assert field in caught.value.message_dict, caught.value.message_dict
    assert counts() == before
    return caught.value.message_dict[field]


def test_duplicate_upn_is_rejected_and_nothing_saved(world):
    messages = _assert_rejected_on(world, "upn", upn=world.learners["a1.learnerA1"].upn)
    assert any("already" in message for message in messages)


def test_duplicate_upn_from_another_institution_is_rejected(world):
    """UPNs are national: a clash with a learner at b1 counts too."""
    _assert_rejected_on(world, "upn", upn=world.learners["b1.learnerA1"].upn.lower())


def test_duplicate_uln_is_rejected_and_nothing_saved(world):
    _assert_rejected_on(world, "uln", uln=world.learners["a2.learnerB2"].uln)


def test_wrong_upn_check_letter_is_rejected(world):
    wrong = ("A" if NEW_UPN[0] != "A" else "B") + NEW_UPN[1:]
    _assert_rejected_on(world, "upn", upn=wrong)


def test_invalid_uln_is_rejected(world):
    _assert_rejected_on(world, "uln", uln="9276308687")


def test_invalid_former_upn_is_rejected(world):
    _assert_rejected_on(world, "former_upn", former_upn="A801200005001")


def test_missing_name_is_rejected(world):
    _assert_rejected_on(world, "given_name", given_name="")


def test_group_from_another_institution_is_rejected(world):
    _assert_rejected_on(world, "groups", groups=[world.groups["a1.formA"], world.groups["b1.maths"]])


@pytest.mark.parametrize(
    ("persona", "institution"),
    [
        ("a1.teacher", "a1"),
        ("a1.tutor", "a1"),
        ("a1.senco", "a1"),
        ("b1.office", "a1"),
        ("a1.office", "b1"),
        ("la1.officer", "a1"),
        ("platform.admin", "a1"),
        ("parent.a1", "a1"),
        ("nobody", "a1"),
        ("anonymous", "a1"),
    ],
)
def test_others_cannot_enrol_and_nothing_is_saved(world, persona, institution):
    before = counts()
    groups = [world.groups[f"{institution}.formA"]]
    with pytest.raises(NotFound):
        enrol(world, persona=persona, institution=institution, groups=groups)
    assert counts() == before


@pytest.mark.parametrize("persona", ["a1.head", "a1.office"])
def test_head_and_office_may_enrol(world, persona):
    assert enrol(world, persona=persona).pk


# The tenant key: a child row never points into another institution.


def test_membership_of_another_institutions_group_cannot_be_saved(world):
    before = GroupMembership.objects.count()
    membership = GroupMembership(
        institution=world.institutions["a1"],
        group=world.groups["b1.maths"],
        learner=world.learners["a1.learnerB1"],
        start_date=today(),
    )
    with pytest.raises(ValidationError) as caught:
        membership.save()
    assert "group" in caught.value.message_dict
    assert GroupMembership.objects.count() == before


def test_tenant_check_reads_the_database_when_the_group_is_not_loaded(world):
    membership = GroupMembership(
        institution_id=world.institutions["a1"].pk,
        group_id=world.groups["b1.maths"].pk,
        learner_id=world.learners["a1.learnerB1"].pk,
        start_date=today(),
    )
    with pytest.raises(ValidationError):
        membership.save()


def test_a_senior_leader_may_enrol(world):
    assert enrol(world, persona="a1.leader").pk


# Two requests enrolling the same UPN at once: the second is told at the field, never a 500.


@pytest.mark.parametrize("field", ["upn", "uln"])
def test_a_concurrent_duplicate_identifier_is_reported_at_its_field(world, monkeypatch, field):
    """Between the check and the write another request takes the identifier: the database's
    unique constraint catches it, and the service reports it like any other duplicate."""
    from commonroom.people import services

    taken = {"upn": world.learners["b1.learnerA1"].upn, "uln": world.learners["b1.learnerA1"].uln}[field]
    real = services._identifier_clashes
    calls = []

    def not_yet_committed(upn: str, uln: str) -> dict[str, list[str]]:
        calls.append((upn, uln))
        return {} if len(calls) == 1 else real(upn, uln)  # the first check ran before the other commit

    monkeypatch.setattr(services, "_identifier_clashes", not_yet_committed)
    messages = _assert_rejected_on(world, field, **{field: taken})
    assert messages == [f"This {field.upper()} already belongs to another learner."]
    assert len(calls) == 2


# Adding a parent or carer.

CONTACT_COUNTED = (Person, ContactLink, AuditEvent)


def contact_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CONTACT_COUNTED}


def add_contact(world, persona="a1.office", learner="a1.learnerB1", **overrides):
    fields = {
        "given_name": "Robin",
        "family_name": "Carer",
        "email": "robin@example.org",
        "phone": "01632 960000",
        "relationship": ContactLink.Relationship.GRANDPARENT,
        "parental_responsibility": False,
        "priority": 2,
        "may_receive_reports": True,
        "lives_with_learner": False,
        "access_barred": False,
    }
    fields.update(overrides)
    return contact_add(actor=world.actor(persona), learner=world.learners[learner], **fields)


def test_office_adds_a_contact_with_an_audit_event(world):
    before = contact_counts()
    link = add_contact(world)
    after = contact_counts()
    assert {name: after[name] - before[name] for name in after} == {"Person": 1, "ContactLink": 1, "AuditEvent": 1}
    link.refresh_from_db()
    assert link.learner == world.learners["a1.learnerB1"] and link.contact.full_name == "Robin Carer"
    assert (link.relationship, link.priority, link.parental_responsibility, link.lives_with_learner) == (
        "grandparent", 2, False, False,
    )  # fmt: skip
    assert link.start_date == today() and link.end_date is None and not link.access_barred
    event = AuditEvent.objects.get(action="contact.add", object_id=str(link.pk))
    assert event.learner_id == world.learners["a1.learnerB1"].pk
    assert event.institution_id == world.institutions["a1"].pk
    assert event.actor_id == world.people["a1.office"].pk


def test_a_barred_contact_can_be_recorded_and_only_leadership_sees_the_link(world):
    from commonroom.authz.api import visible

    link = add_contact(world, access_barred=True)
    assert link.access_barred
    assert visible(world.actor("a1.senco"), ContactLink).filter(pk=link.pk).exists()
    assert not visible(world.actor("a1.teacher"), ContactLink).filter(pk=link.pk).exists()  # teaches a1.learnerB1


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("priority", {"priority": 0}),
        ("priority", {"priority": -3}),
        ("given_name", {"given_name": "  "}),
        ("family_name", {"family_name": ""}),
        ("email", {"email": "not an address"}),
        ("relationship", {"relationship": "uncle-ish"}),
    ],
)
def test_invalid_contact_is_reported_at_the_field_and_nothing_saved(world, field, overrides):
    before = contact_counts()
    with pytest.raises(ValidationError) as caught:
        add_contact(world, **overrides)
    assert field in caught.value.message_dict, caught.value.message_dict
    assert contact_counts() == before


@pytest.mark.parametrize(
    ("persona", "learner"),
    [
        ("a1.teacher", "a1.learnerB1"),
        ("a1.tutor", "a1.learnerA1"),
        ("a1.senco", "a1.learnerB1"),
        ("a1.dsl", "a1.learnerB1"),
        ("b1.office", "a1.learnerB1"),
        ("a1.office", "b1.learnerA1"),
        ("a1.office", "a1.leaver"),
        ("la1.officer", "a1.learnerB1"),
        ("platform.admin", "a1.learnerB1"),
        ("parent.a1", "a1.learnerA1"),
        ("a1.learnerB1", "a1.learnerB1"),
        ("nobody", "a1.learnerB1"),
        ("anonymous", "a1.learnerB1"),
    ],
)
def test_others_cannot_add_a_contact_and_nothing_is_saved(world, persona, learner):
    before = contact_counts()
    with pytest.raises(NotFound):
        add_contact(world, persona=persona, learner=learner)
    assert contact_counts() == before


@pytest.mark.parametrize("persona", ["a1.head", "a1.leader", "a1.office"])
def test_office_and_leadership_may_add_a_contact(world, persona):
    assert add_contact(world, persona=persona).pk
