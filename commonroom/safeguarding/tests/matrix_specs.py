"""Authorisation specs for acceptable use (the oracle: ``testing/oracle_safeguarding.py``).

Targets: a policy by its key in ``safeguarding/testing_world.py`` (``a1.learners``: a1's learners' policy in
force; ``a1.learners.old``: the version it replaced), an institution for the leaders' pages."""

from __future__ import annotations

from commonroom.testing import oracle_safeguarding as os_
from commonroom.testing.matrix import SIGNED_IN, Spec
from commonroom.testing.world import World

POLICIES = list(os_.POLICIES)
INSTITUTIONS = ["a1", "b1", "solo"]


def _policy(world: World, target: str) -> int:
    from commonroom.safeguarding.testing_world import policy_named

    return policy_named(world, target).pk


def _inst(world: World, key: str) -> int:
    return world.institutions[key].pk


PAGE_SPECS: dict[str, Spec] = {
    "safeguarding:acceptable_use": Spec(lambda w, t: "/acceptable-use/", SIGNED_IN),
    "safeguarding:acceptable_use_policy": Spec(lambda w, t: f"/acceptable-use/{_policy(w, t)}/", os_.may_read_policy,
                                               POLICIES),
    "safeguarding:acceptable_use_accept": Spec(lambda w, t: f"/acceptable-use/{_policy(w, t)}/accept/",
                                               os_.may_accept_policy, POLICIES, method="post", ok=(302,)),
    "safeguarding:acceptable_use_manage": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/acceptable-use/",
                                               os_.may_manage_acceptable_use, INSTITUTIONS),
    "safeguarding:acceptable_use_audience": Spec(
        lambda w, t: f"/institutions/{_inst(w, t)}/acceptable-use/parents/", os_.may_manage_acceptable_use,
        INSTITUTIONS),
}

API_SPECS: dict[tuple[str, str], Spec] = {
    ("get", "/api/v1/acceptable-use"): Spec(lambda w, t: "", SIGNED_IN),
    ("post", "/api/v1/acceptable-use/{policy_id}/accept"): Spec(lambda w, t: "", os_.may_accept_policy, POLICIES),
    ("get", "/api/v1/institutions/{institution_id}/acceptable-use/policies"): Spec(
        lambda w, t: "", os_.may_manage_acceptable_use, INSTITUTIONS),
    ("post", "/api/v1/institutions/{institution_id}/acceptable-use/policies"): Spec(
        lambda w, t: "", os_.may_manage_acceptable_use, INSTITUTIONS, ok=(201,),
        body=lambda w, t: {"audience": "staff", "title": "From the matrix", "body": "Be kind."}),
    ("get", "/api/v1/institutions/{institution_id}/acceptable-use/summary"): Spec(
        lambda w, t: "", os_.may_manage_acceptable_use, INSTITUTIONS),
}

PLACEHOLDERS = {"{policy_id}": _policy}

# For commonroom/config/tests/test_openapi_contract.py: every operation answers as its schema declares.
CONTRACT_BODIES = {
    ("post", "/api/v1/acceptable-use/{policy_id}/accept"): {},
    ("post", "/api/v1/institutions/{institution_id}/acceptable-use/policies"): {
        "audience": "learners", "title": "Contract", "body": "Be kind."},
}


def contract_path_values(world: World) -> dict[str, list[int]]:
    return {"policy_id": [_policy(world, "a1.learners"), 2**31 - 1]}
