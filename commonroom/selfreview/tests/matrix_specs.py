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
}

PLACEHOLDERS = {
    "{self_review_id}": _review,
    "{framework_version_id}": _schools,
    "{framework_aspect_id}": _aspect,
}
