"""Reads for account pages, each starting from the authz filter."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from commonroom.authz.actor import Actor
from commonroom.authz.api import visible
from commonroom.authz.models import RoleAssignment
from commonroom.authz.services import grantable_roles
from commonroom.common.dates import in_force
from commonroom.identity.models import PersonalAccessToken, User
from commonroom.organisations.models import Institution, LocalAuthority
from commonroom.people.models import Learner, Person


def own_roles(actor: Actor) -> QuerySet[RoleAssignment]:
    if actor.person_id is None:
        return RoleAssignment.objects.none()
    return (
        visible(actor, RoleAssignment)
        .filter(in_force(on=actor.on), person_id=actor.person_id)
        .select_related("institution", "local_authority")
    )


def own_tokens(actor: Actor) -> QuerySet[PersonalAccessToken]:
    return visible(actor, PersonalAccessToken).order_by("-created_at")


def account_list(actor: Actor, term: str = "") -> QuerySet[User]:
    """Accounts the actor may see, with each person's roles in force, searchable by name or email."""
    users = visible(actor, User).select_related("person").order_by("username")
    if term:
        users = users.filter(Q(username__icontains=term) | Q(person__family_name__icontains=term) | Q(email__icontains=term))
    return users.prefetch_related(
        Prefetch(
            "person__role_assignments",
            queryset=RoleAssignment.objects.filter(in_force(on=actor.on)).select_related("institution", "local_authority"),
            to_attr="roles_in_force",
        )
    )


@dataclass
class GrantScopes:
    institutions: QuerySet[Institution]
    authorities: QuerySet[LocalAuthority]
    roles: set[str]


def grant_scopes(actor: Actor) -> GrantScopes:
    """Where the actor may grant roles, and which roles: never more than they hold."""
    institutions = visible(actor, Institution, "manage_roles").order_by("name")
    if actor.is_platform_admin:
        authorities = visible(actor, LocalAuthority).order_by("name")
    else:
        authorities = visible(actor, LocalAuthority).filter(pk__in=sorted(actor.authorities_where("la_officer")))
    roles: set[str] = set(grantable_roles(actor))
    for institution_id in institutions.values_list("pk", flat=True):
        roles |= grantable_roles(actor, institution_id=institution_id)
    for authority_id in authorities.values_list("pk", flat=True):
        roles |= grantable_roles(actor, local_authority_id=authority_id)
    return GrantScopes(institutions=institutions, authorities=authorities, roles=roles)


def grantee(actor: Actor, username: str) -> Person | None:
    """The adult behind an account, for someone who may grant roles; None for anything else.

    Learners are never offered, and "no such account" and "not grantable" look the same.
    """
    if not grant_scopes(actor).roles:
        return None
    return (
        Person.objects.filter(account__username=username, account__is_active=True)
        .exclude(pk__in=Learner.objects.values("pk"))
        .first()
    )
