"""Who should find, see and change the persona world's shared resources, from its description alone
(``commonroom/resources/testing_world.py``), without calling the rules.

Teaching staff (head, senior leader, SENCO, teachers and the tutor) have a bank; the DSL, office staff,
officers, parents, learners and the administrator have none. A resource is found in the bank by its
owner, and by teaching staff at its school (shared with the school or wider), in its authority (shared
with the authority or everyone) or anywhere (shared with everyone). A resource placed in a course
space is also seen by whoever sees that space; one attached to homework by whoever sees the homework (once
set: the group's learners, their parents and carers not barred, its staff and the school's leaders; a draft:
those who manage the group).
"""

from __future__ import annotations

from commonroom.testing.oracle import AUTHORITY_OF, split
from commonroom.testing.oracle_learning import may_manage_space, may_view_set_homework, may_view_space

BANK = {"head", "leader", "senco", "teacher", "teacher2", "tutor"}
# target -> (owner, audience, the group whose space it is placed in)
RESOURCES = {
    "a1.pack": ("a1.teacher", "authority", None),
    "a1.tables": ("a1.teacher", "institution", None),
    "a1.worksheet": ("a1.teacher", "institution", None),
    "a1.notes": ("a1.teacher", "private", "a1.maths"),
    "b1.video": ("b1.teacher", "everyone", "b1.maths"),
    "a1.sheet": ("a1.teacher", "private", None),
    "a1.sketch": ("a1.teacher2", "private", None),
}
# target -> (the group whose homework it is attached to, whether that homework is set)
ATTACHED = {"a1.sheet": ("a1.maths", True), "a1.sketch": ("a1.art", False)}


def has_bank(persona: str) -> bool:
    inst, role = split(persona)
    return inst in AUTHORITY_OF and role in BANK


def may_find(persona: str, target: str) -> bool:
    """In the persona's bank: may copy it."""
    owner, audience, _placed = RESOURCES[target]
    if persona == owner:
        return True
    if not has_bank(persona):
        return False
    inst, p_inst = split(target)[0], split(persona)[0]
    if audience == "everyone":
        return True
    if audience == "authority":
        return AUTHORITY_OF[inst] is not None and AUTHORITY_OF.get(p_inst) == AUTHORITY_OF[inst]
    if audience == "institution":
        return p_inst == inst
    return False


def may_view(persona: str, target: str) -> bool:
    placed = RESOURCES[target][2]
    if may_find(persona, target) or (placed is not None and may_view_space(persona, placed)):
        return True
    if target not in ATTACHED:
        return False
    group, is_set = ATTACHED[target]
    return may_view_set_homework(persona, group) if is_set else may_manage_space(persona, group)


def may_rate(persona: str, target: str) -> bool:
    return may_find(persona, target) and persona != RESOURCES[target][0]


def may_manage(persona: str, target: str) -> bool:
    return persona == RESOURCES[target][0]
