"""Who may read, accept and manage acceptable-use policies in the persona world, from the description in
``commonroom/safeguarding/testing_world.py`` alone, without calling the rules.

- The head, the senior leader and the DSL of an institution manage its policies and read every version.
- A policy's audience reads it and accepts it while it is in force: staff are the institution's role holders
  (head, leader, SENCO, DSL, office, both teachers, the tutor; never the governor); learners are those on
  roll (not the leaver); parents are parents of a child on roll there, not through a barred link.
"""

from __future__ import annotations

from commonroom.testing.oracle import CHILDREN, split

# key -> (institution, audience, in force)
POLICIES = {
    "a1.staff": ("a1", "staff", True),
    "a1.learners.old": ("a1", "learners", False),
    "a1.learners": ("a1", "learners", True),
    "a1.parents": ("a1", "parents", True),
    "b1.learners": ("b1", "learners", True),
}
STAFF = {"head", "leader", "senco", "dsl", "office", "teacher", "teacher2", "tutor"}
MANAGERS = {"head", "leader", "dsl"}


def may_manage_acceptable_use(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in MANAGERS


def in_audience(persona: str, inst: str, audience: str) -> bool:
    p_inst, p_role = split(persona)
    if audience == "staff":
        return p_inst == inst and p_role in STAFF
    if audience == "learners":
        return p_inst == inst and p_role.startswith("learner")
    return any(split(child)[0] == inst for child in CHILDREN.get(persona, set()))


def may_read_policy(persona: str, key: str) -> bool:
    inst, audience, _current = POLICIES[key]
    return may_manage_acceptable_use(persona, inst) or in_audience(persona, inst, audience)


def may_accept_policy(persona: str, key: str) -> bool:
    inst, audience, current = POLICIES[key]
    return current and in_audience(persona, inst, audience)
