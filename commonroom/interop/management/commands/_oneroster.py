"""What the OneRoster commands share: acting as a named user, and finding the school by URN through authz."""

from __future__ import annotations

from django.core.management.base import CommandError

from commonroom.authz.actor import Actor
from commonroom.authz.api import visible
from commonroom.identity.models import User
from commonroom.organisations.models import Institution


def actor_named(username: str) -> Actor:
    """The actor for an active account. The command acts with that person's roles and nothing more."""
    user = User.objects.filter(username=username, is_active=True).select_related("person").first()
    if user is None:
        raise CommandError(f"There is no active account with the username {username!r}.")
    return Actor.for_user(user)


def institution_for(actor: Actor, urn: str) -> Institution:
    """The institution with this URN, if the actor may enrol there (head, senior leader or office)."""
    institution = visible(actor, Institution, "enrol").filter(urn=urn.strip()).select_related("local_authority").first()
    if institution is None:
        # The same answer for "no such school" and "not yours", as everywhere else.
        raise CommandError(f"There is no institution with URN {urn!r} where {actor.label} may import or export "
                           "class lists (the school's head, senior leaders and office may).")
    return institution
