"""A rule is both a check and a filter: for every registered rule, both must agree on the whole world.

For every (model, action) in the registry, every persona (anonymous included) and every row of
the model, ``rule.check(actor, obj)`` equals "obj is in ``Model.objects.filter(rule.q(actor))``".
"""

from __future__ import annotations

from commonroom.authz.models import AuditEvent, RoleAssignment
from commonroom.authz.registry import registered
from commonroom.identity.models import Invitation, PersonalAccessToken, User
from commonroom.identity.services import invitation_issue, token_create
from commonroom.organisations.models import Institution, LocalAuthority
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, Learner

EXPECTED_PAIRS = {
    (Learner, "view"),
    (Learner, "change"),
    (Group, "view"),
    (ContactLink, "view"),
    (ContactLink, "invite"),
    (Enrolment, "view"),
    (GroupMembership, "view"),
    (Institution, "view"),
    (Institution, "change"),
    (LocalAuthority, "view"),
    (LocalAuthority, "change"),
    (RoleAssignment, "view"),
    (AuditEvent, "view"),
    (User, "view"),
    (User, "change"),
    (PersonalAccessToken, "view"),
    (PersonalAccessToken, "revoke"),
    (Invitation, "view"),
    (Invitation, "revoke"),
}


def _fill_sparse_tables(world) -> None:
    """Tokens, invitations and audit events are empty in the bare world: give each some rows."""
    parent = world.users["parent.a1"]
    token_create(actor=world.actor("parent.a1"), user=parent, name="agreement test")
    invitation_issue(
        actor=world.actor("a1.office"),
        contact_link=world.links["parent.a1>a1.learnerA1"],
        institution_id=world.institutions["a1"].pk,
    )
    assert PersonalAccessToken.objects.exists()
    assert Invitation.objects.exists()
    assert AuditEvent.objects.filter(learner__isnull=False, institution__isnull=False).exists()


def test_registry_covers_the_core_models():
    missing = EXPECTED_PAIRS - set(registered())
    assert not missing, sorted(f"{model.__name__}.{action}" for model, action in missing)


def test_check_and_filter_agree_everywhere(world):
    _fill_sparse_tables(world)
    mismatches: list[str] = []
    compared = 0
    # One actor per persona for the whole walk, as one request would hold it.
    actors = {persona: world.actor(persona) for persona in world.personas}
    for (model, action), rule in sorted(registered().items(), key=lambda item: (item[0][0].__name__, item[0][1])):
        rows = list(model._default_manager.all())
        assert rows, f"{model.__name__} has no rows in the world: the agreement test would prove nothing"
        for persona, actor in actors.items():
            filtered = set(model._default_manager.filter(rule.q(actor)).values_list("pk", flat=True))
            for obj in rows:
                compared += 1
                checked = rule.check(actor, obj)
                if checked != (obj.pk in filtered):
                    mismatches.append(
                        f"{persona}: {model.__name__}.{action} pk={obj.pk} check={checked} filter={obj.pk in filtered}"
                    )
    assert compared > 1000
    assert not mismatches, "\n".join(mismatches)
