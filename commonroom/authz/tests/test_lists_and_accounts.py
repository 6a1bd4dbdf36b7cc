"""Beside the matrix: every list shows exactly the oracle's learners, account pages never fail, and the
persona world cannot be built twice. Kept out of ``test_matrix.py`` so that none of them runs inside
the matrix's module-wide rows."""

from __future__ import annotations

import pytest

from commonroom.authz.tests.test_matrix import ALLAUTH_OWN, ALLAUTH_PUBLIC, PERSONAS, _client_for
from commonroom.testing import oracle
from commonroom.testing.world import build_world


@pytest.mark.parametrize("persona", PERSONAS)
def test_learner_lists_show_exactly_the_oracles_learners(client, world, persona: str) -> None:
    """The list page and the API list show every learner the persona may open, and no other."""
    if persona == "anonymous":
        return
    client.force_login(world.users[persona])
    page = client.get("/learners/").content.decode()
    api_ids = {row["id"] for row in client.get("/api/v1/learners?page_size=100").json()["items"]}
    for key, learner in world.learners.items():
        expected = oracle.may_view_learner(persona, key)
        assert (learner.upn in page) == expected, f"{persona} list page and {key}"
        assert (learner.pk in api_ids) == expected, f"{persona} API list and {key}"


@pytest.mark.parametrize("name", sorted(ALLAUTH_PUBLIC | ALLAUTH_OWN))
def test_account_pages_never_fail(client, world, name: str) -> None:
    """Account pages answer sensibly signed out and signed in (they act only on the caller's own account)."""
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(name)
    except NoReverseMatch:
        url = {"account_confirm_email": "/accounts/confirm-email/nonsense/",
               "account_reset_password_from_key": "/accounts/password/reset/key/1-nonsense/"}[name]
    for persona in ("anonymous", "a1.teacher"):
        response = _client_for(client, world, persona).get(url)
        assert response.status_code in (200, 302, 404, 405), (name, persona, response.status_code)


def test_world_is_deterministic_in_shape(db) -> None:  # type: ignore[no-untyped-def]
    """Sanity check of the fixture the matrix rests on: building again would collide on UPNs."""
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        build_world()
