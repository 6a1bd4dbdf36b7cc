"""Parent invitations: the school issues a single-use code for one contact link; the parent redeems it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, visible
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import today
from commonroom.identity.models import Invitation, User
from commonroom.identity.services import invitation_issue, invitation_redeem, invitation_redeem_new_account
from commonroom.people.models import ContactLink, Learner, Person

STRONG = "lantern-orchard-quietly-77"


def issue(world, link: ContactLink, persona="a1.office", institution="a1") -> str:
    _invitation, code = invitation_issue(
        actor=world.actor(persona), contact_link=link, institution_id=world.institutions[institution].pk
    )
    return code


def new_contact(world, learner_key: str, given="Casey", family="Carer") -> ContactLink:
    """A contact the school recorded before they had an account."""
    person = Person.objects.create(given_name=given, family_name=family)
    return ContactLink.objects.create(
        learner=world.learners[learner_key],
        contact=person,
        relationship=ContactLink.Relationship.CARER,
        start_date=today(),
    )


def snapshot() -> dict[str, object]:
    return {
        "users": User.objects.count(),
        "people": Person.objects.count(),
        "links": sorted(ContactLink.objects.values_list("pk", "contact_id", "learner_id")),
        "invitations": sorted(Invitation.objects.values_list("pk", "used_at", "used_by_id", "revoked_at")),
        "events": AuditEvent.objects.count(),
    }


def code_error(caught) -> str:
    assert "code" in caught.value.message_dict, caught.value.message_dict
    return " ".join(caught.value.message_dict["code"])


# Issuing.


def test_office_issues_a_code_and_only_its_hash_is_stored(world):
    link = world.links["parent.a1>a1.learnerA1"]
    before = AuditEvent.objects.count()
    invitation, code = invitation_issue(
        actor=world.actor("a1.office"), contact_link=link, institution_id=world.institutions["a1"].pk
    )
    assert len(code.replace("-", "")) == 12
    row = Invitation.objects.get(pk=invitation.pk)
    assert row.code_hash == Invitation.hash_code(code) and row.code_hash != code
    bare = code.replace("-", "")
    stored = [str(getattr(row, field.attname)) for field in Invitation._meta.concrete_fields]
    assert not any(code in value or bare in value for value in stored)
    assert row.contact_link == link and row.institution == world.institutions["a1"]
    assert row.issued_by == world.people["a1.office"]
    assert row.status == "open" and row.expires_at > timezone.now() + datetime.timedelta(days=13)
    event = AuditEvent.objects.get(action="invitation.issue", object_id=str(row.pk))
    assert AuditEvent.objects.count() == before + 1
    assert code not in str(event.detail) and bare not in str(event.detail)


def test_codes_differ_each_time(world):
    link = world.links["parent.a1>a1.learnerA1"]
    assert issue(world, link) != issue(world, link)


def test_no_invitation_for_a_barred_link(world):
    before = snapshot()
    with pytest.raises(NotFound):
        issue(world, world.links["parent.barred>a1.learnerA1"])
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "institution"),
    [
        ("a1.teacher", "a1"),
        ("a1.tutor", "a1"),
        ("a1.senco", "a1"),
        ("a1.dsl", "a1"),
        ("b1.office", "b1"),
        ("b1.office", "a1"),
        ("la1.officer", "a1"),
        ("platform.admin", "a1"),
        ("parent.a1", "a1"),
        ("anonymous", "a1"),
    ],
)
def test_only_office_or_leadership_of_the_learners_school_issues(world, persona, institution):
    before = snapshot()
    with pytest.raises(NotFound):
        issue(world, world.links["parent.a1>a1.learnerA1"], persona=persona, institution=institution)
    assert snapshot() == before


def test_office_cannot_issue_in_another_schools_name(world):
    """a1.office may invite for a1's learner, but not record the invitation against b1."""
    before = snapshot()
    with pytest.raises(NotFound):
        issue(world, world.links["parent.a1>a1.learnerA1"], institution="b1")
    assert snapshot() == before


# Redeeming with a new account.


def test_redeem_creates_an_account_for_the_contact_and_the_code_is_spent(world):
    link = new_contact(world, "a1.learnerB1")
    code = issue(world, link)
    user = invitation_redeem_new_account(code=code, username="casey", email="casey@example.org", password=STRONG)
    user.refresh_from_db()
    assert user.person_id == link.contact_id
    assert user.check_password(STRONG)
    assert Person.objects.get(pk=link.contact_id).email == "casey@example.org"
    invitation = Invitation.objects.get(contact_link=link)
    assert invitation.status == "used" and invitation.used_by == user
    assert AuditEvent.objects.filter(action="invitation.redeem", object_id=str(invitation.pk)).exists()
    # The new account sees the child, and only that child.
    seen = set(visible(Actor.for_user(user), Learner).values_list("pk", flat=True))
    assert seen == {world.learners["a1.learnerB1"].pk}

    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem_new_account(code=code, username="casey2", email="other@example.org", password=STRONG)
    assert "already been used" in code_error(caught)
    assert snapshot() == before


def test_code_is_accepted_in_lower_case_without_dashes(world):
    code = issue(world, new_contact(world, "a1.learnerB2"))
    user = invitation_redeem_new_account(
        code=f" {code.lower().replace('-', ' ')} ", username="lowcase", email="", password=STRONG
    )
    assert user.pk


def test_expired_code_is_refused_and_nothing_saved(world):
    link = new_contact(world, "a1.learnerB1")
    code = issue(world, link)
    Invitation.objects.filter(contact_link=link).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem_new_account(code=code, username="late", email="late@example.org", password=STRONG)
    assert "expired" in code_error(caught)
    assert snapshot() == before
    assert not User.objects.filter(username="late").exists()


def test_unknown_code_is_refused(world):
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem_new_account(code="ABCD-EFGH-JKLM", username="guess", email="", password=STRONG)
    assert "recognise" in code_error(caught)
    with pytest.raises(ValidationError):
        invitation_redeem(actor=world.actor("parent.two"), user=world.users["parent.two"], code="ABCD-EFGH-JKLM")
    assert snapshot() == before


def test_revoked_code_is_refused(world):
    link = new_contact(world, "a1.learnerB1")
    code = issue(world, link)
    Invitation.objects.filter(contact_link=link).update(revoked_at=timezone.now())
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem_new_account(code=code, username="revoked", email="", password=STRONG)
    assert "no longer valid" in code_error(caught)
    assert snapshot() == before


def test_code_for_a_link_barred_after_issue_is_refused(world):
    link = new_contact(world, "a1.learnerB1")
    code = issue(world, link)
    ContactLink.objects.filter(pk=link.pk).update(access_barred=True)
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem_new_account(code=code, username="barredlater", email="", password=STRONG)
    assert "no longer valid" in code_error(caught)
    assert snapshot() == before


@pytest.mark.parametrize("password", ["short", "password123", "1234567890123", "casey-carer"])
def test_weak_password_is_refused_and_nothing_saved(world, password):
    link = new_contact(world, "a1.learnerB1")
    code = issue(world, link)
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem_new_account(code=code, username="casey-carer", email="casey@example.org", password=password)
    assert "password1" in caught.value.message_dict
    assert snapshot() == before
    assert Person.objects.get(pk=link.contact_id).email == ""
    assert Invitation.objects.get(contact_link=link).status == "open"


def test_taken_username_is_refused(world):
    code = issue(world, new_contact(world, "a1.learnerB1"))
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem_new_account(code=code, username="Parent.A1", email="", password=STRONG)
    assert "username" in caught.value.message_dict
    assert snapshot() == before


def test_contact_who_has_an_account_cannot_create_another(world):
    code = issue(world, world.links["parent.a1>a1.learnerA1"])
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem_new_account(code=code, username="second", email="", password=STRONG)
    assert "already have an account" in code_error(caught)
    assert snapshot() == before


# Redeeming while signed in.


def test_signed_in_parent_adds_a_child_with_a_code(world):
    learner = world.learners["b2.learnerB1"]
    actor = world.actor("parent.two")
    assert not visible(actor, Learner).filter(pk=learner.pk).exists()
    link = new_contact(world, "b2.learnerB1", given="Sam", family="Twohomes")
    code = issue(world, link, persona="b2.office", institution="b2")

    moved = invitation_redeem(actor=actor, user=world.users["parent.two"], code=code)
    assert moved.pk == link.pk
    link.refresh_from_db()
    assert link.contact_id == world.people["parent.two"].pk
    assert Invitation.objects.get(contact_link=link).used_by == world.users["parent.two"]
    fresh = world.actor("parent.two")  # a new request: the actor's relationships are loaded afresh
    assert visible(fresh, Learner).filter(pk=learner.pk).exists()
    assert set(visible(fresh, Learner).values_list("pk", flat=True)) == {
        world.learners["a1.learnerA2"].pk, world.learners["b1.learnerA1"].pk, learner.pk,
    }  # fmt: skip

    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem(actor=fresh, user=world.users["parent.two"], code=code)
    assert "already been used" in code_error(caught)
    assert snapshot() == before


def test_code_issued_to_someone_with_an_account_cannot_be_taken_by_another(world):
    link = world.links["parent.a1>a1.learnerA1"]
    code = issue(world, link)
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem(actor=world.actor("parent.two"), user=world.users["parent.two"], code=code)
    assert "issued to someone else" in code_error(caught)
    assert snapshot() == before
    link.refresh_from_db()
    assert link.contact_id == world.people["parent.a1"].pk
    assert not visible(world.actor("parent.two"), Learner).filter(pk=link.learner_id).exists()


def test_parent_already_linked_cannot_take_a_second_link(world):
    code = issue(world, new_contact(world, "a1.learnerA1"))
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        invitation_redeem(actor=world.actor("parent.a1"), user=world.users["parent.a1"], code=code)
    assert "already linked" in code_error(caught)
    assert snapshot() == before


def test_barred_parent_cannot_get_round_the_bar_with_another_contacts_code(world):
    code = issue(world, new_contact(world, "a1.learnerA1"))
    before = snapshot()
    with pytest.raises(ValidationError):
        invitation_redeem(actor=world.actor("parent.barred"), user=world.users["parent.barred"], code=code)
    assert snapshot() == before
    assert not visible(world.actor("parent.barred"), Learner).exists()


def test_contact_redeems_their_own_code_when_signed_in(world):
    link = world.links["parent.a1>a1.learnerA1"]
    code = issue(world, link)
    assert invitation_redeem(actor=world.actor("parent.a1"), user=world.users["parent.a1"], code=code).pk == link.pk
    assert Invitation.objects.get(contact_link=link).status == "used"
