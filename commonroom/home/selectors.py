"""Gathers each part of the home page the actor's roles call for. Each part is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from commonroom.authz.actor import Actor
from commonroom.authz.api import visible
from commonroom.authz.models import INSTITUTION_ROLES, WHOLE_INSTITUTION_ROLES, Role
from commonroom.organisations import selectors as organisations
from commonroom.organisations.models import Institution, LocalAuthority
from commonroom.people import selectors as people
from commonroom.safeguarding import selectors as acceptable_use
from commonroom.safeguarding.policies import managed_institutions

LEARNERS_ON_HOME = 50


@dataclass
class InstitutionPanel:
    institution: Institution
    roles: list[str]
    year_groups: list[dict[str, Any]]
    staff: list[dict[str, Any]]
    manages_acceptable_use: bool = False  # head, senior leader or DSL there: a link to its acceptable-use page


@dataclass
class Home:
    own: people.LearnerProfile | None = None
    children: list[people.LearnerProfile] = field(default_factory=list)
    groups: list[Any] = field(default_factory=list)
    learners: list[Any] = field(default_factory=list)
    learner_total: int = 0
    institutions: list[InstitutionPanel] = field(default_factory=list)
    authorities: list[organisations.AuthorityOverview] = field(default_factory=list)
    admin: dict[str, int] | None = None
    coming_up: list[Any] | None = None  # "what's coming up": None when the person has no classes
    acceptable_use_pending: int = 0  # acceptable-use policies in force waiting for this person to accept

    @property
    def is_empty(self) -> bool:
        return not (self.own or self.children or self.groups or self.institutions or self.authorities or self.admin)


def home_for(actor: Actor) -> Home:
    home = Home()
    home.own = people.own_learner_profile(actor)
    home.children = people.learners_cared_for(actor)
    if actor.staff_groups:
        home.groups = people.staff_groups(actor)
        learners = people.learner_list(actor).filter(pk__in=_members_of_my_groups(actor))
        home.learner_total = learners.count()
        home.learners = list(learners[:LEARNERS_ON_HOME])
    leading = actor.institutions_where(*WHOLE_INSTITUTION_ROLES)
    if leading:
        institutions = visible(actor, Institution).in_bulk(sorted(leading))
        for institution_id in sorted(leading, key=lambda pk: institutions[pk].name):
            roles = sorted(
                Role(role).label for role, inst, _la in actor.role_rows if inst == institution_id and role in WHOLE_INSTITUTION_ROLES
            )
            home.institutions.append(
                InstitutionPanel(
                    institution=institutions[institution_id],
                    roles=[str(role) for role in roles],
                    year_groups=people.year_group_counts(actor, institution_id),
                    staff=organisations.staff_by_role(actor, institution_id),
                    manages_acceptable_use=institution_id in managed_institutions(actor),
                )
            )
    if home.own is not None or actor.staff_groups:
        home.coming_up = coming_up(actor)
    home.authorities = organisations.authority_overviews(actor)
    if home.own is not None or home.children or actor.institutions_where(*INSTITUTION_ROLES):
        home.acceptable_use_pending = acceptable_use.pending_count(actor)  # one query, only for an audience
    if actor.is_platform_admin:
        from commonroom.identity.models import User

        home.admin = {
            "authorities": visible(actor, LocalAuthority).count(),
            "institutions": visible(actor, Institution).count(),
            "accounts": visible(actor, User).count(),
        }
    return home


COMING_UP_ITEMS = 5


def coming_up(actor: Actor) -> list[Any]:
    """The first few things in the next 7 days (homework due, events, term dates; lessons are on the week page)."""
    import datetime

    from commonroom.calendar import selectors as calendar

    start = actor.on
    items = calendar.upcoming_for(actor, start, start + datetime.timedelta(days=6),
                                  kinds=(calendar.HOMEWORK, calendar.EVENT, calendar.TERM, calendar.HOLIDAY))
    return items[:COMING_UP_ITEMS]


def _members_of_my_groups(actor: Actor):  # type: ignore[no-untyped-def]
    from commonroom.common.dates import in_force
    from commonroom.people.models import GroupMembership

    return GroupMembership.objects.filter(in_force(on=actor.on), group_id__in=sorted(actor.staff_groups)).values("learner_id")
