"""Who should see what of the parent portal, from the persona world's description alone (never the rules).

- The child page: the learner, their parents and carers (not barred), whole-institution staff where
  the learner is on roll and the learner's teachers and tutors; never the authority, never someone barred.
- Events (rows in ``commonroom/family/testing_world.py``): staff of the school see all; families and
  learners see published ones for their school (whole school) or their groups.
- Managing events and the school's contact details: the head, senior leaders and office staff.
"""

from __future__ import annotations

from commonroom.testing.oracle import CHILDREN, GROUP_MEMBERS, STAFFS, WHOLE_INSTITUTION, is_barred, split

INSTITUTION_STAFF = WHOLE_INSTITUTION | set(STAFFS)
MANAGERS = {"head", "leader", "office"}
# Event name -> (institution, published, audience: None for the whole school or a group suffix).
EVENTS = {
    "Form A trip": ("a1", True, "formA"),
    "Staff INSET (draft)": ("a1", False, None),
    "Sports day": ("b1", True, None),
    "Year 10 maths evening": ("a2", True, "maths"),
}


def may_view_child_page(persona: str, learner: str) -> bool:
    inst, who = split(learner)
    if is_barred(persona, learner):
        return False
    if persona == learner:
        return True
    if learner in CHILDREN.get(persona, set()):
        return True
    if who == "leaver":
        return False
    p_inst, p_role = split(persona)
    if p_inst == inst and p_role in WHOLE_INSTITUTION:
        return True
    return p_inst == inst and p_role in STAFFS and any(who in GROUP_MEMBERS[g] for g in STAFFS[p_role])


def may_manage_events(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in MANAGERS


def may_view_events_of(persona: str, inst: str) -> bool:
    """The school's events list (drafts included): everyone who works there."""
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in INSTITUTION_STAFF


def _family_learners(persona: str) -> set[str]:
    own = {persona} if split(persona)[1] in {"learnerA1", "learnerA2", "learnerB1", "learnerB2"} else set()
    return own | CHILDREN.get(persona, set())


def may_view_event(persona: str, event: str) -> bool:
    inst, published, audience = EVENTS[event]
    if may_view_events_of(persona, inst):
        return True
    if not published:
        return False
    for learner in _family_learners(persona):
        l_inst, who = split(learner)
        if l_inst != inst:
            continue
        if audience is None or who in GROUP_MEMBERS[audience]:
            return True
    return False
