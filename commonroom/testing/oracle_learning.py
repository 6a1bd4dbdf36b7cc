"""Who should see what of course spaces and homework, from the persona world's description alone
(``commonroom/learning/testing_world.py``), without calling the rules.

- A course space: the group's learners and staff (teacher, teacher2, tutor for their groups), the school's
  head and senior leader; managed by its teacher or tutor and by the head and senior leader.
- Homework once set: as the space, plus parents and carers (not barred) of a learner in the group.
- A learner's homework list: the learner, their parents and carers (not barred), those who manage a group
  the learner is in, never anyone barred.
"""

from __future__ import annotations

from commonroom.testing.oracle import CHILDREN, GROUP_MEMBERS, STAFFS, is_barred, split

LEADERS = {"head", "leader"}
SPACE_GROUPS = {"maths", "art", "formA", "formB"}  # teaching and registration groups (not the year group)


def may_view_space(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    if p_inst != inst or suffix not in SPACE_GROUPS:
        return False
    if p_role in LEADERS:
        return True
    if suffix in STAFFS.get(p_role, set()):
        return True
    return p_role in GROUP_MEMBERS.get(suffix, set())


def may_manage_space(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    return p_inst == inst and suffix in SPACE_GROUPS and (p_role in LEADERS or suffix in STAFFS.get(p_role, set()))


def may_view_set_homework(persona: str, group: str) -> bool:
    if may_view_space(persona, group):
        return True
    inst, suffix = split(group)
    return any(split(child)[0] == inst and split(child)[1] in GROUP_MEMBERS.get(suffix, set())
               for child in CHILDREN.get(persona, set()))


def may_hand_in(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in GROUP_MEMBERS.get(suffix, set())


def may_view_learner_homework(persona: str, learner: str) -> bool:
    inst, who = split(learner)
    if is_barred(persona, learner) or who == "leaver":
        return persona == learner and who != "leaver"
    if persona == learner or learner in CHILDREN.get(persona, set()):
        return True
    p_inst, p_role = split(persona)
    if p_inst != inst:
        return False
    if p_role in LEADERS:
        return True
    return any(who in GROUP_MEMBERS[g] for g in STAFFS.get(p_role, set()))


def may_view_hand_ins(persona: str, group: str) -> bool:
    """The hand-ins list of a group's homework: reachable by whoever sees the homework (each sees what they may)."""
    return may_view_set_homework(persona, group)




def may_view_hand_in(persona: str, learner: str, group: str) -> bool:
    """One learner's hand-in for a group's homework: the learner, their parents and carers, and those who manage
    the group; never anyone barred from the learner."""
    if is_barred(persona, learner):
        return False
    return persona == learner or learner in CHILDREN.get(persona, set()) or may_manage_space(persona, group)


def may_mark_hand_in(persona: str, learner: str, group: str) -> bool:
    """Marking one learner's work (the one-by-one page): those who manage the group, never anyone barred."""
    return not is_barred(persona, learner) and may_manage_space(persona, group)


def may_get_feedback_file(persona: str, learner: str, group: str, returned: bool) -> bool:
    """The teacher's annotated feedback file: its markers always; the learner and their parents and carers (not
    barred) once the work is returned."""
    if is_barred(persona, learner):
        return False
    if may_manage_space(persona, group):
        return True
    return returned and (persona == learner or learner in CHILDREN.get(persona, set()))
