"""Who may see and manage authorities and institutions."""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.models import INSTITUTION_ROLES, OFFICE_ROLES, ROLE_MANAGERS, Role
from commonroom.authz.registry import register
from commonroom.authz.rules import EVERYTHING, NOTHING, Predicate
from commonroom.common.dates import in_force
from commonroom.organisations.models import Institution, LocalAuthority

platform_admin = Predicate(
    "is a platform administrator",
    lambda actor, obj: actor.is_platform_admin,
    lambda actor: EVERYTHING if actor.is_platform_admin else NOTHING,
)


def _staff_ids(actor):
    return actor.institutions_where(*INSTITUTION_ROLES)


works_at = Predicate(
    "holds a role at the institution",
    lambda actor, inst: inst.pk in _staff_ids(actor),
    lambda actor: Q(pk__in=sorted(_staff_ids(actor))) if _staff_ids(actor) else NOTHING,
)
officer_of_institutions_authority = Predicate(
    "is an officer of the institution's authority",
    lambda actor, inst: inst.local_authority_id is not None
    and inst.local_authority_id in actor.authorities_where(Role.LA_OFFICER),
    lambda actor: Q(local_authority_id__in=actor.authorities_where(Role.LA_OFFICER))
    if actor.authorities_where(Role.LA_OFFICER)
    else NOTHING,
)


def _family_institutions(actor):
    """Institutions where the actor, or a learner they care for, is enrolled today."""
    from commonroom.people.models import Enrolment

    learners = set(actor.cared_for_learner_ids)
    if actor.person_id is not None:
        learners.add(actor.person_id)
    return Enrolment.objects.filter(in_force(on=actor.on), learner_id__in=sorted(learners)).values("institution_id")


attends_or_family_attends = Predicate(
    "is enrolled there, or cares for a learner enrolled there",
    lambda actor, inst: _family_institutions(actor).filter(institution_id=inst.pk).exists(),
    lambda actor: Q(pk__in=_family_institutions(actor)),
)
head_of = Predicate(
    "is the head",
    lambda actor, inst: inst.pk in actor.institutions_where(Role.HEAD),
    lambda actor: Q(pk__in=sorted(actor.institutions_where(Role.HEAD))) if actor.institutions_where(Role.HEAD) else NOTHING,
)

def _holding(*roles: str) -> Predicate:
    return Predicate(
        f"holds {' or '.join(roles)} there",
        lambda actor, inst: inst.pk in actor.institutions_where(*roles),
        lambda actor: Q(pk__in=sorted(actor.institutions_where(*roles))) if actor.institutions_where(*roles) else NOTHING,
    )


register(
    Institution,
    view=platform_admin | works_at | officer_of_institutions_authority | attends_or_family_attends,
    change=platform_admin | head_of,
    enrol=_holding(*OFFICE_ROLES),
    manage_roles=platform_admin | _holding(*ROLE_MANAGERS),
)

officer_of = Predicate(
    "is an officer of the authority",
    lambda actor, la: la.pk in actor.authorities_where(Role.LA_OFFICER),
    lambda actor: Q(pk__in=sorted(actor.authorities_where(Role.LA_OFFICER)))
    if actor.authorities_where(Role.LA_OFFICER)
    else NOTHING,
)
register(LocalAuthority, view=platform_admin | officer_of, change=platform_admin)
