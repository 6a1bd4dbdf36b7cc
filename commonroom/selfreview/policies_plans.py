"""Who may read and change benchmarks, action plans and the authority view, in the school's words.

- An institution's benchmarks (its levels against institutions like it, never naming them) are read by
  its head and senior leaders, and by officers of its local authority.
- Its action plan is read by the same people; the head and senior leaders add and change actions.
- Its governors (the read-only governor role) read both its benchmarks and its action plan.
- The authority view (every institution of the authority, levels, progress, targets) is read by the
  authority's officers, who also set and change its targets. Nobody at a school sees it.

Imported at the end of ``policies.py``.
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import Role
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.organisations.models import Institution, LocalAuthority
from commonroom.selfreview.models_plans import Action, AuthorityTarget
from commonroom.selfreview.policies import REVIEW_LEADERS, governs_institution, leads_institution


def _officer_of(actor: Actor) -> list[int]:
    return sorted(actor.authorities_where(Role.LA_OFFICER))


def _led(actor: Actor) -> list[int]:
    return sorted(actor.institutions_where(*REVIEW_LEADERS))


officer_of_institutions_authority = Predicate(
    "is an officer of the institution's local authority",
    lambda actor, inst: inst.local_authority_id is not None
    and inst.local_authority_id in actor.authorities_where(Role.LA_OFFICER),
    lambda actor: Q(local_authority_id__in=_officer_of(actor)) if _officer_of(actor) else NOTHING,
)

leads_actions_institution = Predicate(
    "is the head or a senior leader at the action's institution",
    lambda actor, action: action.institution_id in actor.institutions_where(*REVIEW_LEADERS),
    lambda actor: Q(institution_id__in=_led(actor)) if _led(actor) else NOTHING,
)

governor_of_actions_institution = Predicate(
    "is a governor of the action's institution",
    lambda actor, action: action.institution_id in actor.institutions_where(Role.GOVERNOR),
    lambda actor: Q(institution_id__in=sorted(actor.institutions_where(Role.GOVERNOR)))
    if actor.institutions_where(Role.GOVERNOR) else NOTHING,
)

officer_of_actions_authority = Predicate(
    "is an officer of the local authority of the action's institution",
    lambda actor, action: action.institution.local_authority_id is not None
    and action.institution.local_authority_id in actor.authorities_where(Role.LA_OFFICER),
    lambda actor: Q(institution__local_authority_id__in=_officer_of(actor)) if _officer_of(actor) else NOTHING,
)

officer_of_authority = Predicate(
    "is an officer of the authority",
    lambda actor, la: la.pk in actor.authorities_where(Role.LA_OFFICER),
    lambda actor: Q(pk__in=_officer_of(actor)) if _officer_of(actor) else NOTHING,
)

officer_of_targets_authority = Predicate(
    "is an officer of the target's authority",
    lambda actor, target: target.local_authority_id in actor.authorities_where(Role.LA_OFFICER),
    lambda actor: Q(local_authority_id__in=_officer_of(actor)) if _officer_of(actor) else NOTHING,
)

register(
    Institution,
    view_self_review_benchmarks=leads_institution | governs_institution | officer_of_institutions_authority,
    view_action_plan=leads_institution | governs_institution | officer_of_institutions_authority,
    plan_actions=leads_institution,
)
register(Action, view=leads_actions_institution | governor_of_actions_institution | officer_of_actions_authority,
         change=leads_actions_institution)
register(LocalAuthority, view_self_review_overview=officer_of_authority, set_self_review_targets=officer_of_authority)
register(AuthorityTarget, view=officer_of_targets_authority, change=officer_of_targets_authority)
