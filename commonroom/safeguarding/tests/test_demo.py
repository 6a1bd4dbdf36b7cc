"""The demo hook: acceptable-use policies and acceptances on the ``tiny`` demo, plausible and deterministic."""

from __future__ import annotations

import pytest

from commonroom.authz.actor import Actor
from commonroom.demo import generator
from commonroom.identity.models import User
from commonroom.organisations.models import Institution
from commonroom.people.models import Person
from commonroom.safeguarding import selectors
from commonroom.safeguarding.models import AcceptableUseAcceptance, AcceptableUsePolicy, Audience

pytestmark = pytest.mark.django_db


def _shape() -> list[tuple]:
    return list(AcceptableUseAcceptance.objects.order_by("pk").values_list(
        "policy__institution__name", "policy__audience", "policy__version"))


def test_demo_policies_and_acceptances_are_plausible_and_deterministic() -> None:
    generator.build("tiny", reset=True)
    first = _shape()
    for institution in Institution.objects.all():
        in_force = AcceptableUsePolicy.objects.filter(institution=institution, superseded_at__isnull=True)
        assert sorted(in_force.values_list("audience", flat=True)) == sorted(Audience.values)
    assert first
    for acceptance in AcceptableUseAcceptance.objects.select_related("policy")[:300]:
        assert acceptance.policy.superseded_at is None and acceptance.accepted_at >= acceptance.policy.published_at
        members = selectors.audience_members(acceptance.institution_id, acceptance.policy.audience,
                                             acceptance.accepted_at.date())
        assert Person.objects.filter(pk__in=members, pk=acceptance.person_id).exists()
    learner = User.objects.get(username="demo.learner")
    assert selectors.pending_count(Actor.for_user(learner)) >= 1  # the demo accounts see the notice
    generator.build("tiny", reset=True)
    assert _shape() == first
