"""The self-review's pages and API operations in the authorisation matrix (see commonroom/testing/matrix.py)."""

from __future__ import annotations

from typing import Any

from commonroom.testing import oracle_selfreview as oracle
from commonroom.testing.matrix import SIGNED_IN, Spec

REVIEWS = oracle.REVIEW_NAMES
STARTS = ["a1", "b1", "a2"]


def _review(world: Any, target: str) -> int:
    from commonroom.selfreview.testing_world import review_named

    return int(review_named(world, target).pk)


def _schools(world: Any, target: str) -> int:
    from commonroom.selfreview.models import Framework

    return int(Framework.objects.get(slug="schools", version=1).pk)


def _aspect(world: Any, target: str) -> int:
    """Aspect 2a-1 (element 2, assigned to a1.teacher in a1's review in progress)."""
    from commonroom.selfreview.models import Aspect

    return int(Aspect.objects.get(element__framework__slug="schools", element__framework__version=1, code="2a-1").pk)


def _answer_body(world: Any, target: str) -> dict[str, Any]:
    from commonroom.selfreview.models import AspectAnswer

    answer = AspectAnswer.objects.get(review_id=_review(world, target), aspect_id=_aspect(world, target))
    return {"level": 2, "notes": "From the matrix", "evidence": ["https://example.org/plan"], "version": answer.version}


def _measured_aspect(world: Any, target: str) -> int:
    """Aspect 1c-2 (element 1, which names the parent_accounts measure; answered by leaders only)."""
    from commonroom.selfreview.models import Aspect

    return int(Aspect.objects.get(element__framework__slug="schools", element__framework__version=1, code="1c-2").pk)


def _charter_url(suffix: str = "") -> Any:
    return lambda w, t: f"/self-review/institutions/{w.institutions[t].pk}/charter/{suffix}"


def _review_url(suffix: str = "") -> Any:
    return lambda w, t: f"/self-review/reviews/{_review(w, t)}/{suffix}"


PAGE_SPECS = {
    "selfreview:reviews": Spec(lambda w, t: "/self-review/", SIGNED_IN),
    "selfreview:frameworks": Spec(lambda w, t: "/self-review/frameworks/", SIGNED_IN),
    "selfreview:framework": Spec(lambda w, t: f"/self-review/frameworks/{_schools(w, t)}/", SIGNED_IN),
    "selfreview:review_start": Spec(lambda w, t: f"/self-review/institutions/{w.institutions[t].pk}/start/",
                                    oracle.may_start_review, STARTS),
    "selfreview:review": Spec(_review_url(), oracle.may_view_review, REVIEWS),
    "selfreview:review_assign": Spec(_review_url("assign/"), oracle.may_manage_review, REVIEWS),
    "selfreview:aspect": Spec(lambda w, t: f"/self-review/reviews/{_review(w, t)}/aspects/{_aspect(w, t)}/",
                              oracle.may_view_review, REVIEWS),
    "selfreview:review_complete": Spec(_review_url("complete/"), oracle.may_manage_review, REVIEWS),
    "selfreview:result": Spec(_review_url("result/"), oracle.may_view_review, REVIEWS),
    "selfreview:result_csv": Spec(lambda w, t: f"/self-review/reviews/{_review(w, t)}/result.csv", oracle.may_view_review, REVIEWS),
    "selfreview:result_pdf": Spec(lambda w, t: f"/self-review/reviews/{_review(w, t)}/result.pdf", oracle.may_view_review, REVIEWS),
    # Platform evidence (POST only: the allowed are redirected back to the aspect)
    "selfreview:evidence_attach": Spec(
        lambda w, t: f"/self-review/reviews/{_review(w, t)}/aspects/{_measured_aspect(w, t)}/evidence/",
        oracle.may_answer_element_1, REVIEWS, method="post", ok=(302,)),
    "selfreview:evidence_remove": Spec(
        lambda w, t: f"/self-review/reviews/{_review(w, t)}/aspects/{_measured_aspect(w, t)}/evidence/remove/",
        oracle.may_answer_element_1, REVIEWS, method="post", ok=(302,)),
    # The Charter
    "selfreview:charter_list": Spec(lambda w, t: "/self-review/charter/", SIGNED_IN),
    "selfreview:charter": Spec(_charter_url(), oracle.may_view_charter, oracle.CHARTER_TARGETS),
    "selfreview:charter_history": Spec(_charter_url("history/"), oracle.may_view_charter, oracle.CHARTER_TARGETS),
    "selfreview:charter_commit": Spec(_charter_url("commit/"), oracle.may_commit, oracle.CHARTER_TARGETS),
    "selfreview:charter_request": Spec(_charter_url("recognition/"), oracle.may_commit, oracle.CHARTER_TARGETS),
    "selfreview:charter_confirm": Spec(_charter_url("confirm/"), oracle.may_confirm, oracle.CHARTER_TARGETS),
    "selfreview:charter_visit": Spec(_charter_url("visit/"), oracle.may_assess, oracle.CHARTER_TARGETS),
}

_ROOT = "/api/v1/self-review"
API_SPECS = {
    ("get", f"{_ROOT}/frameworks"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", f"{_ROOT}/frameworks/{{framework_version_id}}"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", f"{_ROOT}/reviews"): Spec(lambda w, t: "", SIGNED_IN),
    ("post", f"{_ROOT}/reviews"): Spec(
        lambda w, t: "", oracle.may_start_review, STARTS, ok=(201,),
        body=lambda w, t: {"institution_id": w.institutions[t].pk, "framework_id": _schools(w, t)}),
    ("get", f"{_ROOT}/reviews/{{self_review_id}}"): Spec(lambda w, t: "", oracle.may_view_review, REVIEWS),
    ("get", f"{_ROOT}/reviews/{{self_review_id}}/answers/{{framework_aspect_id}}"): Spec(
        lambda w, t: "", oracle.may_view_review, REVIEWS),
    ("put", f"{_ROOT}/reviews/{{self_review_id}}/answers/{{framework_aspect_id}}"): Spec(
        lambda w, t: "", oracle.may_answer_element_2, REVIEWS, body=_answer_body),
    ("get", f"{_ROOT}/reviews/{{self_review_id}}/result"): Spec(lambda w, t: "", oracle.may_view_review, REVIEWS),
    ("get", f"{_ROOT}/reviews/{{self_review_id}}/answers/{{framework_aspect_id}}/evidence"): Spec(
        lambda w, t: "", oracle.may_view_review, REVIEWS),
    ("post", f"{_ROOT}/reviews/{{self_review_id}}/answers/{{framework_aspect_id}}/evidence"): Spec(
        lambda w, t: "", oracle.may_answer_element_2, REVIEWS, ok=(201, 422), body=lambda w, t: {"measure": "parent_accounts"}),
    ("get", f"{_ROOT}/institutions/{{institution_id}}/charter"): Spec(lambda w, t: "", oracle.may_view_charter, oracle.CHARTER_TARGETS),
    ("get", f"{_ROOT}/institutions/{{institution_id}}/charter/history"): Spec(
        lambda w, t: "", oracle.may_view_charter, oracle.CHARTER_TARGETS),
    # a1 is committed already (422 to its leaders); the others commit (201)
    ("post", f"{_ROOT}/institutions/{{institution_id}}/charter/commit"): Spec(
        lambda w, t: "", oracle.may_commit, oracle.CHARTER_TARGETS, ok=(201, 422), body=lambda w, t: {}),
    # nobody in the world is eligible for recognition: the allowed get the reason (422)
    ("post", f"{_ROOT}/institutions/{{institution_id}}/charter/recognition"): Spec(
        lambda w, t: "", oracle.may_commit, oracle.CHARTER_TARGETS, ok=(201, 422), body=lambda w, t: {}),
    ("post", f"{_ROOT}/institutions/{{institution_id}}/charter/confirm"): Spec(
        lambda w, t: "", oracle.may_confirm, oracle.CHARTER_TARGETS, ok=(200, 422),
        body=lambda w, t: {"confirm": True, "adviser_reference": "MATRIX-1"}),
    # a visit with the outcome "not yet" is recorded whatever the data
    ("post", f"{_ROOT}/institutions/{{institution_id}}/charter/visits"): Spec(
        lambda w, t: "", oracle.may_assess, oracle.CHARTER_TARGETS, ok=(201,),
        body=lambda w, t: {"stage": "ict_mark", "visit_date": _today_iso(), "awarded": False}),
}


def _today_iso() -> str:
    from commonroom.common.dates import today

    return today().isoformat()


CONTRACT_BODIES = {
    ("post", f"{_ROOT}/reviews/{{self_review_id}}/answers/{{framework_aspect_id}}/evidence"): {"measure": "parent_accounts"},
    ("post", f"{_ROOT}/institutions/{{institution_id}}/charter/commit"): {},
    ("post", f"{_ROOT}/institutions/{{institution_id}}/charter/recognition"): {},
    ("post", f"{_ROOT}/institutions/{{institution_id}}/charter/confirm"): {"confirm": False},
    ("post", f"{_ROOT}/institutions/{{institution_id}}/charter/visits"): {"visit_date": "2000-01-01", "awarded": False},
}

# --- Benchmarks, action plans, the authority view --------------------------------------------------

PLAN_INSTITUTIONS = ["a1", "b1", "solo"]
PLAN_REVIEWS = ["a1.finished", "b1.current"]


def _action(world: Any, target: str) -> int:
    from commonroom.selfreview.testing_world_plans import action_named

    return int(action_named(world, target).pk)


def _target(world: Any, target: str) -> int:
    from commonroom.selfreview.testing_world_plans import target_named

    return int(target_named(world, target).pk)


def _authority(world: Any, target: str) -> int:
    return int(world.authorities[target].pk)


def _aspect_1a1(world: Any, target: str) -> int:
    from commonroom.selfreview.models import Aspect

    return int(Aspect.objects.get(element__framework__slug="schools", element__framework__version=1, code="1a-1").pk)


def _action_body(world: Any, target: str) -> dict[str, Any]:
    inst = target.split(".")[0]
    return {"title": "From the matrix", "target_level": 1, "owner_id": world.people[f"{inst}.teacher"].pk,
            "due_on": "2030-01-31", "cost": "120.00", "status": "in_progress"}


def _action_create_body(world: Any, target: str) -> dict[str, Any]:
    review = {"a1": "a1.finished", "b1": "b1.current"}[target]
    return _action_body(world, target) | {"review_id": _review(world, review), "aspect_id": _aspect_1a1(world, target)}


def _target_body(world: Any, target: str) -> dict[str, Any]:
    return {"title": "From the matrix", "framework_slug": "schools", "element_number": 2, "phase": "secondary",
            "share": 75, "due_on": "2030-07-31"}


PAGE_SPECS |= {
    "selfreview:benchmarks": Spec(lambda w, t: f"/self-review/institutions/{w.institutions[t].pk}/benchmarks/",
                                  oracle.may_view_benchmarks, PLAN_INSTITUTIONS),
    "selfreview:benchmarks_csv": Spec(lambda w, t: f"/self-review/institutions/{w.institutions[t].pk}/benchmarks.csv",
                                      oracle.may_view_benchmarks, PLAN_INSTITUTIONS),
    "selfreview:plan": Spec(lambda w, t: f"/self-review/institutions/{w.institutions[t].pk}/plan/",
                            oracle.may_view_plan, PLAN_INSTITUTIONS),
    "selfreview:action_add": Spec(
        lambda w, t: f"/self-review/reviews/{_review(w, t)}/aspects/{_aspect_1a1(w, t)}/actions/new/",
        oracle.may_plan_from_review, PLAN_REVIEWS),
    "selfreview:action_edit": Spec(lambda w, t: f"/self-review/actions/{_action(w, t)}/", oracle.may_change_action,
                                   oracle.ACTION_NAMES),
    "selfreview:authority": Spec(lambda w, t: f"/self-review/authorities/{_authority(w, t)}/", oracle.may_view_authority,
                                 oracle.AUTHORITY_NAMES),
    "selfreview:authority_csv": Spec(lambda w, t: f"/self-review/authorities/{_authority(w, t)}/institutions.csv",
                                     oracle.may_view_authority, oracle.AUTHORITY_NAMES),
    "selfreview:targets_csv": Spec(lambda w, t: f"/self-review/authorities/{_authority(w, t)}/targets.csv",
                                   oracle.may_view_authority, oracle.AUTHORITY_NAMES),
    "selfreview:target_add": Spec(lambda w, t: f"/self-review/authorities/{_authority(w, t)}/targets/new/",
                                  oracle.may_view_authority, oracle.AUTHORITY_NAMES),
    "selfreview:target_edit": Spec(lambda w, t: f"/self-review/targets/{_target(w, t)}/", oracle.may_change_target,
                                   oracle.TARGET_NAMES),
}

API_SPECS |= {
    ("get", f"{_ROOT}/institutions/{{institution_id}}/benchmarks"): Spec(lambda w, t: "", oracle.may_view_benchmarks,
                                                                          PLAN_INSTITUTIONS),
    ("get", f"{_ROOT}/institutions/{{institution_id}}/actions"): Spec(lambda w, t: "", oracle.may_view_plan, PLAN_INSTITUTIONS),
    ("post", f"{_ROOT}/institutions/{{institution_id}}/actions"): Spec(
        lambda w, t: "", oracle.may_plan_actions, ["a1", "b1"], ok=(201,), body=_action_create_body),
    ("put", f"{_ROOT}/actions/{{self_review_action_id}}"): Spec(lambda w, t: "", oracle.may_change_action,
                                                                 oracle.ACTION_NAMES, body=_action_body),
    ("get", f"{_ROOT}/authorities/{{self_review_authority_id}}"): Spec(lambda w, t: "", oracle.may_view_authority,
                                                                        oracle.AUTHORITY_NAMES),
    ("post", f"{_ROOT}/authorities/{{self_review_authority_id}}/targets"): Spec(
        lambda w, t: "", oracle.may_view_authority, oracle.AUTHORITY_NAMES, ok=(201,), body=_target_body),
    ("put", f"{_ROOT}/targets/{{self_review_target_id}}"): Spec(lambda w, t: "", oracle.may_change_target,
                                                                 oracle.TARGET_NAMES, body=_target_body),
}

PLACEHOLDERS = {
    "{self_review_id}": _review,
    "{framework_version_id}": _schools,
    "{framework_aspect_id}": _aspect,
    "{self_review_action_id}": _action,
    "{self_review_target_id}": _target,
    "{self_review_authority_id}": _authority,
}

# For commonroom/config/tests/test_openapi_contract.py: every operation answers as its schema declares.
CONTRACT_BODIES |= {
    ("post", f"{_ROOT}/institutions/{{institution_id}}/actions"): {
        "title": "Contract", "target_level": 2, "owner_id": 1, "due_on": "2030-01-31", "review_id": 1, "aspect_id": 1},
    ("put", f"{_ROOT}/actions/{{self_review_action_id}}"): {"title": "Contract", "target_level": 2, "owner_id": 1,
                                                           "due_on": "2030-01-31"},
    ("post", f"{_ROOT}/authorities/{{self_review_authority_id}}/targets"): {
        "title": "Contract", "framework_slug": "schools", "share": 80, "due_on": "2030-07-31"},
    ("put", f"{_ROOT}/targets/{{self_review_target_id}}"): {
        "title": "Contract", "framework_slug": "schools", "share": 80, "due_on": "2030-07-31"},
}


def contract_path_values(world: Any) -> dict[str, list[int]]:
    missing = 2**31 - 1
    return {"self_review_action_id": [_action(world, "a1.action"), missing],
            "self_review_target_id": [_target(world, "la1.target"), missing],
            "self_review_authority_id": [_authority(world, "la1"), missing],
            "evidence_file_id": [_evidence_file(world, "a1.current"), _evidence_file(world, "a1.finished"), missing]}


# --- Files as evidence (aspect 2a-1 of each review holds one file: testing_world.py) -------------------


def _evidence_file(world: Any, target: str) -> int:
    from commonroom.selfreview.testing_world import evidence_file_named

    return int(evidence_file_named(world, target).pk)


PAGE_SPECS |= {
    # POST without a file: editors get the aspect page back with the error at the field (200), others 404
    "selfreview:evidence_file_upload": Spec(
        lambda w, t: f"/self-review/reviews/{_review(w, t)}/aspects/{_aspect(w, t)}/files/",
        oracle.may_answer_element_2, REVIEWS, method="post"),
    "selfreview:evidence_file": Spec(lambda w, t: f"/self-review/evidence-files/{_evidence_file(w, t)}/",
                                     oracle.may_view_review, REVIEWS),
    "selfreview:evidence_file_remove": Spec(lambda w, t: f"/self-review/evidence-files/{_evidence_file(w, t)}/remove/",
                                            oracle.may_answer_element_2, REVIEWS, method="post", ok=(302,)),
}

API_SPECS |= {
    ("get", f"{_ROOT}/reviews/{{self_review_id}}/answers/{{framework_aspect_id}}/files"): Spec(
        lambda w, t: "", oracle.may_view_review, REVIEWS),
    # The matrix sends JSON, so no file: editors reach the operation and are told to send one (422)
    ("post", f"{_ROOT}/reviews/{{self_review_id}}/answers/{{framework_aspect_id}}/files"): Spec(
        lambda w, t: "", oracle.may_answer_element_2, REVIEWS, ok=(422,), body=lambda w, t: {}),
    ("get", f"{_ROOT}/evidence-files/{{evidence_file_id}}"): Spec(lambda w, t: "", oracle.may_view_review, REVIEWS),
    ("delete", f"{_ROOT}/evidence-files/{{evidence_file_id}}"): Spec(lambda w, t: "", oracle.may_answer_element_2, REVIEWS,
                                                                    ok=(204,)),
}

PLACEHOLDERS["{evidence_file_id}"] = _evidence_file

CONTRACT_BODIES |= {
    ("post", f"{_ROOT}/reviews/{{self_review_id}}/answers/{{framework_aspect_id}}/files"): {},
}

