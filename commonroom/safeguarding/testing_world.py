"""Acceptable-use rows in the persona world (for ``test_rule_agreement`` and the matrix).

At a1: a staff policy (version 1, in force), a learners' policy (version 1, replaced by version 2, in
force) and a parents' policy (version 1, in force). At b1: a learners' policy (version 1, in force). The
other institutions have none.

Acceptances: a1.head the staff policy; a1.learnerA1 the learners' version 1 only (so version 2 awaits
them); a1.learnerA2 the learners' version 2; parent.two a1's parents' policy; b1.learnerA1 b1's policy.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from commonroom.safeguarding.models import AcceptableUseAcceptance, AcceptableUsePolicy

# key -> (institution, audience, version, in force); the matrix and the oracle name policies by these keys.
POLICIES = {
    "a1.staff": ("a1", "staff", 1, True),
    "a1.learners.old": ("a1", "learners", 1, False),
    "a1.learners": ("a1", "learners", 2, True),
    "a1.parents": ("a1", "parents", 1, True),
    "b1.learners": ("b1", "learners", 1, True),
}
ACCEPTED = {"a1.head": "a1.staff", "a1.learnerA1": "a1.learners.old", "a1.learnerA2": "a1.learners",
            "parent.two": "a1.parents", "b1.learnerA1": "b1.learners"}


def policy_named(world, key: str) -> AcceptableUsePolicy:  # type: ignore[no-untyped-def]
    inst, audience, version, _current = POLICIES[key]
    return AcceptableUsePolicy.objects.get(institution=world.institutions[inst], audience=audience, version=version)


def extend(world) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    earlier = now - datetime.timedelta(days=30)
    rows = {}
    for key, (inst, audience, version, current) in POLICIES.items():
        rows[key] = AcceptableUsePolicy.objects.create(
            institution=world.institutions[inst], audience=audience, version=version,
            title=f"{inst.upper()} {audience} acceptable use", body=f"Version {version}.\n\nBe kind online.",
            published_at=now if current and version > 1 else earlier, published_by=world.people[f"{inst}.head"],
            superseded_at=None if current else now)
    for persona, key in ACCEPTED.items():
        policy = rows[key]
        AcceptableUseAcceptance.objects.create(institution=policy.institution, policy=policy,
                                               person=world.people[persona], accepted_at=policy.published_at)
