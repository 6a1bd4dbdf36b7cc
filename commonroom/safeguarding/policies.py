"""Who may publish, read and accept acceptable-use policies, in the school's words.

- The head, senior leaders and the designated safeguarding lead of an institution publish its policies,
  read every version and see who has accepted (``acceptable_use_manage`` on the institution).
- The audience of a policy reads its versions and accepts the one in force, for themselves:
  staff: anyone with a staff role at the institution (head, leader, SENCO, DSL, teacher, office);
  learners: learners on roll there (an enrolment in force);
  parents: a parent or carer of a learner on roll there, through a link that is not barred.
- An acceptance is seen by the person who gave it and by the institution's managers above.
- Nobody else sees anything: governors, officers of the authority and platform administrators included.
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import INSTITUTION_ROLES, Role
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.common.dates import in_force
from commonroom.organisations.models import Institution
from commonroom.people.models import ContactLink, Enrolment
from commonroom.safeguarding.models import AcceptableUseAcceptance, AcceptableUsePolicy, Audience

MANAGER_ROLES = (Role.HEAD, Role.LEADER, Role.DSL)


def managed_institutions(actor: Actor) -> frozenset[int]:
    return actor.institutions_where(*MANAGER_ROLES)


def _learner_institutions_q(actor: Actor):  # type: ignore[no-untyped-def]
    return Enrolment.objects.filter(in_force(on=actor.on), learner_id=actor.person_id).values("institution_id")


def _children_institutions_q(actor: Actor):  # type: ignore[no-untyped-def]
    children = ContactLink.objects.filter(in_force(on=actor.on), contact_id=actor.person_id, access_barred=False) \
        .values("learner_id")
    return Enrolment.objects.filter(in_force(on=actor.on), learner_id__in=children).values("institution_id")


def audience_institutions(actor: Actor) -> dict[str, frozenset[int]]:
    """Audience -> the institutions where the actor belongs to it today, loaded once per actor."""
    cached = actor.__dict__.get("_aup_audiences")
    if cached is None:
        cached = {audience.value: frozenset() for audience in Audience}
        if actor.person_id is not None:
            cached[Audience.STAFF] = actor.institutions_where(*INSTITUTION_ROLES)
            cached[Audience.LEARNERS] = frozenset(_learner_institutions_q(actor).values_list("institution_id", flat=True))
            cached[Audience.PARENTS] = frozenset(_children_institutions_q(actor).values_list("institution_id", flat=True))
        actor.__dict__["_aup_audiences"] = cached
    return cached


def audience_q(actor: Actor, prefix: str = "") -> Q:
    """Policies (reached through ``prefix``) whose audience the actor belongs to: a filter of subqueries,
    so that a list costs one query."""
    if actor.person_id is None:
        return NOTHING
    staff = actor.institutions_where(*INSTITUTION_ROLES)
    combined = Q(**{f"{prefix}audience": Audience.LEARNERS, f"{prefix}institution_id__in": _learner_institutions_q(actor)}) \
        | Q(**{f"{prefix}audience": Audience.PARENTS, f"{prefix}institution_id__in": _children_institutions_q(actor)})
    if staff:
        combined |= Q(**{f"{prefix}audience": Audience.STAFF, f"{prefix}institution_id__in": sorted(staff)})
    return combined


manages_acceptable_use = Predicate(
    "is the head, a senior leader or the designated safeguarding lead there",
    lambda actor, institution: institution.pk in managed_institutions(actor),
    lambda actor: Q(pk__in=sorted(managed_institutions(actor))) if managed_institutions(actor) else NOTHING,
)
manages_its_institution = Predicate(
    "is the head, a senior leader or the designated safeguarding lead at its institution",
    lambda actor, row: row.institution_id in managed_institutions(actor),
    lambda actor: Q(institution_id__in=sorted(managed_institutions(actor))) if managed_institutions(actor) else NOTHING,
)
in_its_audience = Predicate(
    "is one of the people the policy is for",
    lambda actor, policy: policy.institution_id in audience_institutions(actor)[policy.audience],
    audience_q,
)
is_in_force = Predicate(
    "is the version in force",
    lambda actor, policy: policy.superseded_at is None,
    lambda actor: Q(superseded_at__isnull=True),
)
gave_it = Predicate(
    "accepted it themself",
    lambda actor, acceptance: actor.person_id is not None and acceptance.person_id == actor.person_id,
    lambda actor: Q(person_id=actor.person_id) if actor.person_id else NOTHING,
)

register(Institution, acceptable_use_manage=manages_acceptable_use)
register(AcceptableUsePolicy, view=manages_its_institution | in_its_audience, accept=in_its_audience & is_in_force)
register(AcceptableUseAcceptance, view=gave_it | manages_its_institution)
