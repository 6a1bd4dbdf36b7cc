"""Who may do what with self-reviews in the persona world, from selfreview/testing_world.py's description
alone (never calling the rules)."""

from __future__ import annotations

from commonroom.testing.oracle import AUTHORITY_OF, split

LEADERS = {"head", "leader"}
# review name -> (institution, in progress?, {staff role: element numbers assigned})
REVIEWS = {
    "a1.current": ("a1", True, {"teacher": {2}}),
    "a1.finished": ("a1", False, {}),
    "b1.current": ("b1", True, {"teacher": {3}}),
}
REVIEW_NAMES = sorted(REVIEWS)


def may_start_review(persona: str, inst: str) -> bool:
    p_inst, role = split(persona)
    return p_inst == inst and role in LEADERS


def may_view_review(persona: str, review: str) -> bool:
    inst, _progress, assigned = REVIEWS[review]
    p_inst, role = split(persona)
    if p_inst == inst and (role in LEADERS or role in assigned or role == "governor"):
        return True
    return bool(AUTHORITY_OF.get(inst)) and persona == f"{AUTHORITY_OF[inst]}.officer"


def may_manage_review(persona: str, review: str) -> bool:
    inst, in_progress, _assigned = REVIEWS[review]
    p_inst, role = split(persona)
    return in_progress and p_inst == inst and role in LEADERS


def may_answer(persona: str, review: str, element: int) -> bool:
    inst, in_progress, assigned = REVIEWS[review]
    p_inst, role = split(persona)
    if not in_progress or p_inst != inst:
        return False
    return role in LEADERS or element in assigned.get(role, set())


def may_answer_element_2(persona: str, review: str) -> bool:
    return may_answer(persona, review, 2)


# --- Benchmarks, action plans, the authority view (selfreview/testing_world_plans.py) ---------------

ACTION_NAMES = ["a1.action", "b1.action"]
TARGET_NAMES = ["la1.target", "la2.target"]
AUTHORITY_NAMES = ["la1", "la2"]


def _officer_of(persona: str, inst: str) -> bool:
    return bool(AUTHORITY_OF.get(inst)) and persona == f"{AUTHORITY_OF[inst]}.officer"


def may_view_benchmarks(persona: str, inst: str) -> bool:
    """Leaders and governors of the institution, and officers of its authority."""
    p_inst, role = split(persona)
    return (p_inst == inst and role in (*LEADERS, "governor")) or _officer_of(persona, inst)


may_view_plan = may_view_benchmarks


def may_plan_actions(persona: str, inst: str) -> bool:
    return may_start_review(persona, inst)


def may_plan_from_review(persona: str, review: str) -> bool:
    return may_plan_actions(persona, REVIEWS[review][0])


def may_view_action(persona: str, action: str) -> bool:
    return may_view_plan(persona, split(action)[0])


def may_change_action(persona: str, action: str) -> bool:
    return may_plan_actions(persona, split(action)[0])


def may_view_authority(persona: str, la: str) -> bool:
    return persona == f"{la}.officer"


def may_change_target(persona: str, target: str) -> bool:
    return may_view_authority(persona, split(target)[0])


# --- The Charter ------------------------------------------------------------------------------
CHARTER_TARGETS = ["a1", "a2", "b1", "solo"]
COMMITTED = {"a1"}


def may_view_charter(persona: str, inst: str) -> bool:
    p_inst, role = split(persona)
    if p_inst == inst and (role in LEADERS or role == "governor"):
        return True
    authority = AUTHORITY_OF.get(inst)
    return bool(authority) and persona in (f"{authority}.officer", f"{authority}.assessor")


def may_commit(persona: str, inst: str) -> bool:
    p_inst, role = split(persona)
    return p_inst == inst and role in LEADERS


def may_confirm(persona: str, inst: str) -> bool:
    authority = AUTHORITY_OF.get(inst)
    return bool(authority) and persona == f"{authority}.officer"


def may_assess(persona: str, inst: str) -> bool:
    authority = AUTHORITY_OF.get(inst)
    return bool(authority) and persona == f"{authority}.assessor"


def may_answer_element_1(persona: str, review: str) -> bool:
    return may_answer(persona, review, 1)
