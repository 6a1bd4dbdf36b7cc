"""Accounts, invitations and access tokens."""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.models import Role
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.identity.models import Invitation, PersonalAccessToken, User
from commonroom.organisations.policies import platform_admin

own_token = Predicate(
    "is the token's owner",
    lambda actor, token: actor.user_id is not None and token.user_id == actor.user_id,
    lambda actor: Q(user_id=actor.user_id) if actor.user_id else NOTHING,
)
register(PersonalAccessToken, view=own_token, revoke=own_token)

own_account = Predicate(
    "is the account's owner",
    lambda actor, user: actor.user_id is not None and user.pk == actor.user_id,
    lambda actor: Q(pk=actor.user_id) if actor.user_id else NOTHING,
)
register(User, view=own_account | platform_admin, change=platform_admin)


def _issuers(actor):
    return actor.institutions_where(Role.HEAD, Role.LEADER, Role.OFFICE)


office_where_issued = Predicate(
    "has an office or leadership role where it was issued",
    lambda actor, invitation: invitation.institution_id in _issuers(actor),
    lambda actor: Q(institution_id__in=_issuers(actor)) if _issuers(actor) else NOTHING,
)
register(Invitation, view=office_where_issued, revoke=office_where_issued)
