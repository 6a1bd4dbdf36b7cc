"""Demo acceptable-use policies and acceptances: generated, never real.

Every demo institution publishes a policy for each audience (staff, learners, parents and carers) at the
start of the school year; version 2 of the learners' policy followed in the spring half-term when the
year is far enough on. A realistic share of each audience has accepted the version in force (about nine
staff in ten, three learners in four, half of parents and carers), at dates since it was published. The
demo accounts (demo.head, demo.learner, demo.parent, ...) have not accepted yet, so that each sees the
notice on their home page. ``plan`` is the generator's ``DemoPlan`` (typed ``Any`` so that type-checking
this app does not pull in the generator).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

TEXTS = {
    "staff": ("Acceptable use of ICT: staff", (
        "This policy applies to everyone who works at the school and uses its computers, network, e-mail "
        "and Commonroom.",
        "Keep your password to yourself and lock your screen when you step away. Use a second factor when "
        "Commonroom asks for one.",
        "Record and share learners' information only through the school's systems. Do not take personal data "
        "home on removable media.",
        "Report any concern about a learner's safety online to the designated safeguarding lead the same day.")),
    "learners": ("Using computers and the internet safely", (
        "I will only use my own account and keep my password secret.",
        "I will be kind and polite online, and I will not share anything that could upset or hurt someone.",
        "I will tell a teacher if I see something online that worries me or makes me feel uncomfortable.",
        "I understand that the school can see how I use its computers and Commonroom, to keep everyone safe.")),
    "parents": ("Acceptable use: parents and carers", (
        "Commonroom lets you see your child's attendance, reports and messages from school. Please keep your "
        "sign-in details private.",
        "Please do not post photographs or comments about other children or staff on social media.",
        "We will help your child learn to stay safe online; please talk with them about what they do online "
        "at home.")),
}
SHARE = {"staff": 0.9, "learners": 0.75, "parents": 0.5}


def write_demo(plan: Any, today: datetime.date, seed: int) -> str:
    from commonroom.authz.models import INSTITUTION_ROLES
    from commonroom.safeguarding.models import AcceptableUseAcceptance, AcceptableUsePolicy

    rng = random.Random(seed + 97)
    zone = timezone.get_current_timezone()
    demo_people = {person.id for person in plan.accounts.values()}
    published = datetime.datetime.combine(max(plan.year_start, today - datetime.timedelta(days=300)),
                                          datetime.time(8, 30), zone)
    spring = datetime.datetime.combine(today - datetime.timedelta(days=40), datetime.time(8, 30), zone)
    learners_v2 = spring > published + datetime.timedelta(days=30)
    contacts: dict[int, set[int]] = {}
    for link in plan.links:
        if not link.access_barred:
            contacts.setdefault(link.learner.inst.id, set()).add(link.contact.id)
    policies = acceptances = 0
    for inst in plan.institutions:
        head = next((person.id for person, role in inst.roles if role == "head"), None)
        rows: list[AcceptableUsePolicy] = []
        for audience, (title, paragraphs) in TEXTS.items():
            versions = [(1, published)] + ([(2, spring)] if audience == "learners" and learners_v2 else [])
            for number, when in versions:
                last = number == len(versions)
                body = "\n\n".join(paragraphs) + ("" if number == 1 else
                                                  "\n\nAdded this spring: I will not use AI tools to do my homework "
                                                  "for me unless my teacher says so.")
                rows.append(AcceptableUsePolicy(
                    institution_id=inst.id, audience=audience, version=number, title=title, body=body,
                    published_at=when, published_by_id=head, superseded_at=None if last else versions[-1][1]))
        AcceptableUsePolicy.objects.bulk_create(rows)
        policies += len(rows)
        members = {
            "staff": sorted({person.id for person, role in inst.roles if role in INSTITUTION_ROLES}),
            "learners": sorted(learner.person.id for learner in inst.learners),
            "parents": sorted(contacts.get(inst.id, set())),
        }
        now = timezone.now()
        given: list[AcceptableUseAcceptance] = []
        for policy in rows:
            if policy.superseded_at is not None:
                continue
            for person_id in members[policy.audience]:
                if person_id in demo_people or rng.random() >= SHARE[policy.audience]:
                    continue
                span = max(1, int((now - policy.published_at).total_seconds()))
                given.append(AcceptableUseAcceptance(
                    institution_id=inst.id, policy=policy, person_id=person_id,
                    accepted_at=policy.published_at + datetime.timedelta(seconds=rng.randrange(span))))
        AcceptableUseAcceptance.objects.bulk_create(given, batch_size=2000)
        acceptances += len(given)
    return f"acceptable use: {policies:,} policies, {acceptances:,} acceptances"
