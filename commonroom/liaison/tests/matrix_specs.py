"""Authorisation matrix specs for liaison's pages and API operations (see ``commonroom/testing/matrix.py``).

The rows come from ``commonroom/liaison/testing_world.py``: a pending ill-today report for
a1.learnerA1 (at a1), a pending planned absence for b1.learnerA1 (at b1), parent.two's phone change
and a1.learnerA1's dietary-needs change.
"""

from __future__ import annotations

from commonroom.testing import oracle_liaison as oracle
from commonroom.testing.matrix import SIGNED_IN, Spec
from commonroom.testing.oracle import may_enrol_at
from commonroom.testing.world import World

LEARNERS = ["a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "b1.learnerA1", "a1.leaver"]
REPORTED = ["a1.learnerA1", "b1.learnerA1"]  # learners with a pending absence report in the world
INSTITUTIONS = ["a1", "a2", "b1", "solo"]
CHANGES = ["parent.two:phone", "a1.learnerA1:dietary_needs"]
CHANGES_AT = ["a1|parent.two:phone", "b1|parent.two:phone", "a1|a1.learnerA1:dietary_needs",
              "b1|a1.learnerA1:dietary_needs"]


def _report_of(world: World, learner: str) -> int:
    from commonroom.liaison.models import AbsenceReport

    return AbsenceReport.objects.filter(learner=world.learners[learner], status="pending").order_by("id").first().pk  # type: ignore[union-attr]


def _change_of(world: World, key: str) -> int:
    from commonroom.liaison.models import DetailChange

    about, field = key.split(":")
    return DetailChange.objects.get(person=world.people[about], field=field, status="pending").pk


def _inst(world: World, key: str) -> int:
    return world.institutions[key].pk


def _learner_inst(learner: str) -> str:
    return learner.split(".")[0]


PAGE_SPECS: dict[str, Spec] = {
    "liaison:absence_report": Spec(lambda w, t: f"/children/{w.learners[t].pk}/absence/", oracle.may_report_absence,
                                   LEARNERS),
    "liaison:child_details": Spec(lambda w, t: f"/children/{w.learners[t].pk}/details/", oracle.may_report_absence,
                                  LEARNERS),
    "liaison:my_absence_reports": Spec(lambda w, t: "/account/absence-reports/", SIGNED_IN),
    "liaison:my_details": Spec(lambda w, t: "/account/details/", SIGNED_IN),
    "liaison:absence_queue": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/absence-reports/", oracle.is_office_at,
                                  INSTITUTIONS),
    "liaison:absence_decide": Spec(
        lambda w, t: f"/institutions/{_inst(w, _learner_inst(t))}/absence-reports/{_report_of(w, t)}/",
        oracle.may_decide_report_about, REPORTED),
    "liaison:detail_changes": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/detail-changes/", oracle.is_office_at,
                                   INSTITUTIONS),
    "liaison:detail_change_decide": Spec(
        lambda w, t: f"/institutions/{_inst(w, t.split('|')[0])}/detail-changes/{_change_of(w, t.split('|')[1])}/",
        oracle.may_decide_change_at, CHANGES_AT),
    "liaison:uptake": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/parents/uptake/", may_enrol_at, INSTITUTIONS),
    "liaison:uptake_csv": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/parents/uptake.csv", may_enrol_at,
                               INSTITUTIONS),
}


def _report_body(world: World, learner: str) -> dict:
    return {"institution_id": world.institutions[_learner_inst(learner)].pk, "kind": "ill", "sessions": "both",
            "note": "From the matrix"}


def _change_body(world: World, target: str) -> dict:
    if target == "own":
        return {"values": {"phone": "07700 900999"}}
    return {"learner_id": world.learners[target].pk, "values": {"dietary_needs": "From the matrix"}}


def _may_request_change(persona: str, target: str) -> bool:
    return oracle.may_request_own_change(persona) if target == "own" else oracle.may_report_absence(persona, target)


API_SPECS: dict[tuple[str, str], Spec] = {
    ("post", "/api/v1/learners/{learner_id}/absence-reports"): Spec(
        lambda w, t: "", oracle.may_report_absence, LEARNERS, ok=(201,), body=_report_body),
    ("get", "/api/v1/absence-reports"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/institutions/{institution_id}/absence-reports"): Spec(lambda w, t: "", oracle.is_office_at,
                                                                           INSTITUTIONS),
    ("post", "/api/v1/absence-reports/{absence_report_id}/confirm"): Spec(
        lambda w, t: "", oracle.may_decide_report_about, REPORTED, body=lambda w, t: {"code": "I" if t.startswith("a1") else "M"}),
    ("post", "/api/v1/absence-reports/{absence_report_id}/decline"): Spec(
        lambda w, t: "", oracle.may_decide_report_about, REPORTED, body=lambda w, t: {"note": "Please phone us"}),
    ("post", "/api/v1/detail-changes"): Spec(
        lambda w, t: "", _may_request_change, ["own", "a1.learnerA1", "a1.learnerA2", "b1.learnerA1", "a1.learnerB1"],
        ok=(201,), body=_change_body),
    ("get", "/api/v1/detail-changes"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/institutions/{institution_id}/detail-changes"): Spec(lambda w, t: "", oracle.is_office_at,
                                                                          INSTITUTIONS),
    ("post", "/api/v1/detail-changes/{detail_change_id}/approve"): Spec(
        lambda w, t: "", oracle.may_decide_change, CHANGES, body=lambda w, t: {"note": "Checked"}),
    ("post", "/api/v1/detail-changes/{detail_change_id}/reject"): Spec(
        lambda w, t: "", oracle.may_decide_change, CHANGES, body=lambda w, t: {"note": "Please phone us"}),
    ("get", "/api/v1/institutions/{institution_id}/parents/uptake"): Spec(lambda w, t: "", may_enrol_at, INSTITUTIONS),
}

PLACEHOLDERS = {"{absence_report_id}": _report_of, "{detail_change_id}": _change_of}

# For commonroom/config/tests/test_openapi_contract.py: every operation answers as its schema declares.
CONTRACT_BODIES = {
    ("post", "/api/v1/learners/{learner_id}/absence-reports"): {"institution_id": 1, "kind": "ill", "sessions": "both"},
    ("post", "/api/v1/absence-reports/{absence_report_id}/confirm"): {"code": "I"},
    ("post", "/api/v1/absence-reports/{absence_report_id}/decline"): {"note": "Please phone us"},
    ("post", "/api/v1/detail-changes"): {"values": {"phone": "07700 900999"}},
    ("post", "/api/v1/detail-changes/{detail_change_id}/approve"): {"note": "Checked"},
    ("post", "/api/v1/detail-changes/{detail_change_id}/reject"): {"note": "Please phone us"},
}


def contract_path_values(world: World) -> dict[str, list[int]]:
    missing = 2**31 - 1
    return {"absence_report_id": [_report_of(world, "a1.learnerA1"), missing],
            "detail_change_id": [_change_of(world, "a1.learnerA1:dietary_needs"), missing]}
