"""Granting and ending roles: nobody grants more than they hold, and a denial changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from commonroom.authz import audit
from commonroom.authz import services as role_services
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, visible
from commonroom.authz.models import AuditEvent, Role, RoleAssignment
from commonroom.authz.services import role_end, role_grant
from commonroom.common.dates import today
from commonroom.organisations.models import Institution
from commonroom.people.models import Learner


def counts() -> tuple[int, int]:
    return RoleAssignment.objects.count(), AuditEvent.objects.count()


def grant(world, persona, role, *, to="nobody", institution=None, authority=None, **extra):
    return role_grant(
        actor=world.actor(persona),
        person_id=world.people[to].pk,
        role=role,
        institution_id=world.institutions[institution].pk if institution else None,
        local_authority_id=world.authorities[authority].pk if authority else None,
        **extra,
    )


def assert_denied(world, persona, role, error=NotFound, **scope):
    before = counts()
    with pytest.raises(error):
        grant(world, persona, role, **scope)
    assert counts() == before


# What each persona may grant.


@pytest.mark.parametrize("role", [Role.TEACHER, Role.OFFICE, Role.SENCO])
def test_head_grants_institution_roles_at_their_institution(world, role):
    before = counts()
    assignment = grant(world, "a1.head", role, institution="a1")
    assert counts() == (before[0] + 1, before[1] + 1)
    assert (assignment.person, assignment.role, assignment.institution) == (
        world.people["nobody"], role, world.institutions["a1"],
    )  # fmt: skip
    assert assignment.granted_by == world.people["a1.head"]
    assert assignment.start_date == today() and assignment.end_date is None
    event = AuditEvent.objects.get(action="role.grant", object_id=str(assignment.pk))
    assert event.institution_id == world.institutions["a1"].pk
    assert event.detail == {"person": world.people["nobody"].pk, "role": role}


@pytest.mark.parametrize("role", [Role.TEACHER, Role.OFFICE, Role.SENCO, Role.HEAD])
def test_head_cannot_grant_at_another_institution(world, role):
    assert_denied(world, "a1.head", role, institution="b1")
    assert_denied(world, "a1.head", role, institution="a2")


@pytest.mark.parametrize(
    "scope",
    [{}, {"institution": "a1"}, {"authority": "la1"}],
    ids=["platform", "at-a1", "at-la1"],
)
def test_head_cannot_grant_platform_admin(world, scope):
    assert_denied(world, "a1.head", Role.PLATFORM_ADMIN, **scope)


@pytest.mark.parametrize("scope", [{"authority": "la1"}, {"institution": "a1"}], ids=["at-la1", "at-a1"])
def test_head_cannot_grant_la_officer(world, scope):
    assert_denied(world, "a1.head", Role.LA_OFFICER, **scope)


@pytest.mark.parametrize(
    "persona",
    ["a1.teacher", "a1.tutor", "a1.senco", "a1.dsl", "a1.office", "parent.a1", "a1.learnerA1", "nobody", "anonymous"],
)
@pytest.mark.parametrize("role", [Role.TEACHER, Role.OFFICE, Role.HEAD])
def test_staff_without_leadership_and_others_grant_nothing(world, persona, role):
    assert_denied(world, persona, role, institution="a1")


@pytest.mark.parametrize("persona", ["a1.teacher", "nobody", "anonymous"])
def test_nobody_else_grants_authority_or_platform_roles(world, persona):
    assert_denied(world, persona, Role.LA_OFFICER, authority="la1")
    assert_denied(world, persona, Role.PLATFORM_ADMIN)


@pytest.mark.parametrize("institution", ["a1", "b2", "solo"])
def test_platform_admin_grants_head_anywhere(world, institution):
    assignment = grant(world, "platform.admin", Role.HEAD, institution=institution)
    assert assignment.institution == world.institutions[institution]


def test_platform_admin_grants_la_officer_at_an_authority(world):
    assignment = grant(world, "platform.admin", Role.LA_OFFICER, authority="la2")
    assert assignment.local_authority == world.authorities["la2"] and assignment.institution is None


def test_platform_admin_cannot_grant_an_institution_role_without_an_institution(world):
    assert_denied(world, "platform.admin", Role.HEAD)
    assert_denied(world, "platform.admin", Role.HEAD, authority="la1")


def test_la_officer_grants_la_officer_at_their_authority_only(world):
    assignment = grant(world, "la1.officer", Role.LA_OFFICER, authority="la1")
    assert assignment.local_authority == world.authorities["la1"]
    assert_denied(world, "la1.officer", Role.LA_OFFICER, authority="la2")


@pytest.mark.parametrize("role", [Role.HEAD, Role.TEACHER])
def test_la_officer_cannot_grant_school_roles(world, role):
    assert_denied(world, "la1.officer", role, institution="a1")


def test_la_officer_cannot_grant_platform_admin(world):
    assert_denied(world, "la1.officer", Role.PLATFORM_ADMIN)


@pytest.mark.parametrize(
    ("persona", "role", "scope"),
    [
        ("a1.head", Role.TEACHER, {"institution": "a1"}),
        ("a1.head", Role.HEAD, {"institution": "a1"}),
        ("platform.admin", Role.HEAD, {"institution": "a1"}),
        ("platform.admin", Role.PLATFORM_ADMIN, {}),
        ("la1.officer", Role.LA_OFFICER, {"authority": "la1"}),
    ],
)
def test_nobody_grants_a_role_to_themself(world, persona, role, scope):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        grant(world, persona, role, to=persona, **scope)
    assert "person" in caught.value.message_dict
    assert counts() == before


def test_duplicate_grant_is_rejected(world):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        grant(world, "a1.head", Role.TEACHER, to="a1.teacher", institution="a1")
    assert "role" in caught.value.message_dict
    assert counts() == before


def test_granting_twice_is_rejected_the_second_time(world):
    grant(world, "a1.head", Role.OFFICE, institution="a1")
    before = counts()
    with pytest.raises(ValidationError):
        grant(world, "a1.head", Role.OFFICE, institution="a1")
    assert counts() == before


def test_end_before_start_is_rejected(world):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        grant(world, "a1.head", Role.TEACHER, institution="a1", end_date=today() - datetime.timedelta(days=1))
    assert "end_date" in caught.value.message_dict
    assert counts() == before


def test_a_role_and_a_scope_that_do_not_match_are_rejected(world):
    before = counts()
    with pytest.raises(ValidationError):
        grant(world, "platform.admin", Role.HEAD, institution="a1", authority="la1")
    assert counts() == before


# Ending a role.


def _office_assignment(world) -> RoleAssignment:
    return RoleAssignment.objects.get(person=world.people["a1.office"], role=Role.OFFICE)


def _actor_on(world, persona: str, day: datetime.date) -> Actor:
    user = world.users[persona]
    return Actor(person_id=user.person_id, label=persona, user_id=user.pk, on=day)


def test_ended_role_stops_access_the_next_day(world):
    learner = world.learners["a1.learnerB1"]
    assignment = _office_assignment(world)
    before = AuditEvent.objects.count()
    role_end(actor=world.actor("a1.head"), assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.end_date == today()
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.filter(action="role.end", object_id=str(assignment.pk)).exists()

    tomorrow = today() + datetime.timedelta(days=1)
    still_today = _actor_on(world, "a1.office", today())
    assert visible(still_today, Learner).filter(pk=learner.pk).exists()
    next_day = _actor_on(world, "a1.office", tomorrow)
    assert not visible(next_day, Learner).filter(pk=learner.pk).exists()
    assert not visible(next_day, Learner).exists()
    assert not visible(next_day, Institution).exists()


@pytest.mark.parametrize("persona", ["a1.teacher", "a1.office", "b1.head", "la1.officer", "nobody"])
def test_others_cannot_end_a_role(world, persona):
    assignment = _office_assignment(world)
    before = counts()
    with pytest.raises(NotFound):
        role_end(actor=world.actor(persona), assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.end_date is None
    assert counts() == before


def test_role_cannot_end_before_it_started(world):
    assignment = _office_assignment(world)
    with pytest.raises(ValidationError):
        role_end(
            actor=world.actor("a1.head"),
            assignment=assignment,
            end_date=assignment.start_date - datetime.timedelta(days=1),
        )
    assignment.refresh_from_db()
    assert assignment.end_date is None


# The audit event lives and dies with its change.


def test_failure_after_the_audit_record_rolls_back_both(world, monkeypatch):
    real_record = audit.record

    def record_then_fail(*args, **kwargs):
        real_record(*args, **kwargs)
        raise RuntimeError("a later step failed")

    monkeypatch.setattr(role_services.audit, "record", record_then_fail)
    before = counts()
    with pytest.raises(RuntimeError):
        grant(world, "a1.head", Role.TEACHER, institution="a1")
    assert counts() == before


def test_outer_transaction_failure_rolls_back_grant_and_event(world):
    before = counts()
    with pytest.raises(RuntimeError), transaction.atomic():
        grant(world, "a1.head", Role.TEACHER, institution="a1")
        assert counts() == (before[0] + 1, before[1] + 1)
        raise RuntimeError("the caller's next step failed")
    assert counts() == before


def test_audit_record_inside_a_failed_transaction_leaves_nothing(world):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(world.actor("a1.head"), "test.event", world.institutions["a1"])
        raise RuntimeError("boom")
    assert AuditEvent.objects.count() == before
