"""Every read of acceptable use that leaves the app, starting from the rules in ``policies.py``.

``audience_members`` is the one definition of who a policy is for at an institution on a day; the
self-review measure ``acceptable_use`` and the leaders' figures both count from it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

from commonroom.authz.actor import Actor
from commonroom.authz.api import get_for, visible
from commonroom.authz.models import INSTITUTION_ROLES, RoleAssignment
from commonroom.common.dates import in_force
from commonroom.organisations.models import Institution
from commonroom.people.models import ContactLink, Enrolment, Person
from commonroom.people.policies import barred_learner_ids
from commonroom.safeguarding.models import AcceptableUseAcceptance, AcceptableUsePolicy, Audience

NAMES_SHOWN = 500  # names listed per audience on the leaders' page; the counts are always complete


def audience_members(institution_id: int, audience: str, on: datetime.date) -> QuerySet:
    """Person ids (a ``values`` subquery) of the people a policy for ``audience`` at the institution is for on ``on``:
    staff with a staff role there, learners on roll there, or parents and carers of a learner on roll there
    through a link that is not barred."""
    if audience == Audience.STAFF:
        return RoleAssignment.objects.filter(in_force(on=on), institution_id=institution_id,
                                             role__in=sorted(INSTITUTION_ROLES)).values("person_id")
    on_roll = Enrolment.objects.filter(in_force(on=on), institution_id=institution_id).values("learner_id")
    if audience == Audience.LEARNERS:
        return on_roll
    return ContactLink.objects.filter(in_force(on=on), access_barred=False, learner_id__in=on_roll).values("contact_id")


@dataclass
class MyPolicies:
    pending: list[AcceptableUsePolicy] = field(default_factory=list)
    accepted: list[AcceptableUseAcceptance] = field(default_factory=list)


def _accepted_by(person_id: int) -> Exists:
    return Exists(AcceptableUseAcceptance.objects.filter(policy_id=OuterRef("pk"), person_id=person_id))


def my_policies(actor: Actor) -> MyPolicies:
    """The policies in force that the actor is asked to accept, and the acceptances they have given
    (newest first). Two queries."""
    if actor.person_id is None:
        return MyPolicies()
    pending = list(visible(actor, AcceptableUsePolicy, "accept").filter(~_accepted_by(actor.person_id))
                   .select_related("institution").order_by("institution__name", "audience"))
    accepted = list(visible(actor, AcceptableUseAcceptance).filter(person_id=actor.person_id)
                    .select_related("policy__institution"))
    return MyPolicies(pending=pending, accepted=accepted)


def pending_count(actor: Actor) -> int:
    """How many policies in force await the actor's acceptance (one query; none for the anonymous)."""
    if actor.person_id is None:
        return 0
    return visible(actor, AcceptableUsePolicy, "accept").filter(~_accepted_by(actor.person_id)).count()


def policy_detail(actor: Actor, pk: object) -> tuple[AcceptableUsePolicy, AcceptableUseAcceptance | None, bool]:
    """A policy the actor may read, their acceptance of it (if any) and whether they may accept it now."""
    from commonroom.authz.api import can

    policy = get_for(actor, AcceptableUsePolicy, pk, queryset=AcceptableUsePolicy.objects.select_related(
        "institution", "published_by"))
    mine = AcceptableUseAcceptance.objects.filter(policy=policy, person_id=actor.person_id).first() \
        if actor.person_id else None
    return policy, mine, mine is None and can(actor, "accept", policy)


@dataclass
class AudienceFigures:
    audience: str
    label: str
    policy: AcceptableUsePolicy | None  # the version in force, if any
    members: int
    accepted: int
    versions: list[AcceptableUsePolicy] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return round(100 * self.accepted / self.members, 1) if self.members else None


def institution_figures(actor: Actor, institution_id: object) -> tuple[Institution, list[AudienceFigures]]:
    """For the institution's managers: each audience's versions, how many people it is for today and how many
    of them have accepted the version in force. A fixed number of queries (1 + 1 + 2 per audience)."""
    institution = get_for(actor, Institution, institution_id, "acceptable_use_manage")
    versions = list(visible(actor, AcceptableUsePolicy).filter(institution=institution)
                    .select_related("published_by", "institution").order_by("audience", "-version"))
    figures = []
    for audience in Audience:
        mine = [row for row in versions if row.audience == audience]
        current = next((row for row in mine if row.superseded_at is None), None)
        members = audience_members(institution.pk, audience, actor.on)
        total = Person.objects.filter(pk__in=members).count()
        accepted = AcceptableUseAcceptance.objects.filter(
            institution=institution, policy=current, person_id__in=members).count() if current else 0
        figures.append(AudienceFigures(audience.value, str(audience.label), current, total, accepted, mine))
    return institution, figures


@dataclass
class AudiencePeople:
    institution: Institution
    audience: str
    label: str
    policy: AcceptableUsePolicy | None
    accepted: list[tuple[Person, datetime.datetime]]
    not_accepted: list[Person]
    accepted_total: int
    not_accepted_total: int


def audience_people(actor: Actor, institution_id: object, audience: str) -> AudiencePeople:
    """For the institution's managers: who in the audience has accepted the version in force (with when) and
    who has not, by name, up to ``NAMES_SHOWN`` of each. Learners the actor is barred from are left out, and
    so are parents and carers whose only link on roll is to such a learner."""
    from commonroom.authz.api import NotFound

    institution = get_for(actor, Institution, institution_id, "acceptable_use_manage")
    if audience not in Audience.values:
        raise NotFound()
    policy = visible(actor, AcceptableUsePolicy).filter(institution=institution, audience=audience,
                                                          superseded_at__isnull=True).first()
    members = audience_members(institution.pk, audience, actor.on)
    barred = barred_learner_ids(actor) if audience != Audience.STAFF else frozenset()
    if barred:  # a bar wins: a leader barred from a learner sees neither that learner's name here nor, through
        # the learner, their family's (a parent or carer of another learner on roll is still listed)
        members = members.exclude(learner_id__in=sorted(barred))
    people = Person.objects.filter(pk__in=members).order_by("family_name", "given_name", "pk")
    accepted_rows: list[tuple[Person, datetime.datetime]] = []
    accepted_total = 0
    if policy is not None:
        given = AcceptableUseAcceptance.objects.filter(policy=policy, person_id__in=members) \
            .select_related("person").order_by("person__family_name", "person__given_name", "person_id")
        accepted_total = given.count()
        accepted_rows = [(row.person, row.accepted_at) for row in given[:NAMES_SHOWN]]
        people = people.exclude(pk__in=AcceptableUseAcceptance.objects.filter(policy=policy).values("person_id"))
    return AudiencePeople(institution, audience, str(Audience(audience).label), policy, accepted_rows,
                          list(people[:NAMES_SHOWN]), accepted_total, people.count())
