"""Who should see what in messaging, from the world's description alone (never calling the rules).

The world's conversations (``commonroom/messaging/testing_world.py``), by key:

    a1.tutor    parent.a1 -> the form tutor at a1, about a1.learnerA1 (formA, tutored by a1.tutor)
    a1.office   parent.a1 -> the office at a1, about a1.learnerA1, assigned to a1.senco
    b1.office   parent.two -> the office at b1, about b1.learnerA1
    a1.barred   parent.barred -> the office at a1, about a1.learnerA1, from before the bar

Broadcasts: ``a1.trip`` (a1.tutor to form A's parents: parent.a1, parent.two) and ``b1.year10``
(b1.office to year 10's parents: parent.two).
"""

from __future__ import annotations

from commonroom.testing.oracle import CHILDREN, GROUP_MEMBERS, OFFICE, STAFFS, TUTORS, is_barred, split

STAFF = {"head", "leader", "senco", "dsl", "office", "teacher", "teacher2", "tutor"}
# key: (institution, learner, started by, addressed to, assigned to)
CONVERSATIONS = {
    "a1.tutor": ("a1", "a1.learnerA1", "parent.a1", "tutor", None),
    "a1.office": ("a1", "a1.learnerA1", "parent.a1", "office", "a1.senco"),
    "b1.office": ("b1", "b1.learnerA1", "parent.two", "office", None),
    "a1.barred": ("a1", "a1.learnerA1", "parent.barred", "office", None),
}
SUBJECTS = {"a1.tutor": "World: tutor", "a1.office": "World: office", "b1.office": "World: b1",
            "a1.barred": "World: before the bar"}
# key: (institution, sender, recipients)
BROADCASTS = {
    "a1.trip": ("a1", "a1.tutor", {"parent.a1", "parent.two"}),
    "b1.year10": ("b1", "b1.office", {"parent.two"}),
}
BROADCAST_SUBJECTS = {"a1.trip": "World: form A trip", "b1.year10": "World: b1 year 10"}


def _tutors_learner(persona: str, learner: str) -> bool:
    inst, who = split(learner)
    p_inst, p_role = split(persona)
    return p_inst == inst and any(who in GROUP_MEMBERS[form] for form in TUTORS.get(p_role, set()))


def may_manage_conversation(persona: str, key: str) -> bool:
    inst, learner, _starter, to, assignee = CONVERSATIONS[key]
    if is_barred(persona, learner):
        return False
    p_inst, p_role = split(persona)
    if p_inst == inst and p_role in OFFICE:
        return True
    if to == "tutor" and _tutors_learner(persona, learner):
        return True
    return persona == assignee and _works_at(persona, inst)


def _works_at(persona: str, inst: str) -> bool:
    """Staff of the institution today (someone who has left keeps nothing through a row naming them)."""
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in STAFF


def may_view_conversation(persona: str, key: str) -> bool:
    _inst, learner, starter, _to, _assignee = CONVERSATIONS[key]
    if persona == starter and learner in CHILDREN.get(persona, set()):
        return True
    return may_manage_conversation(persona, key)


def may_start_about(persona: str, learner: str) -> bool:
    """A parent or carer (link in force, not barred) of a learner on roll."""
    return learner in CHILDREN.get(persona, set()) and split(learner)[1] != "leaver"


def may_start_any(persona: str, _target: str = "") -> bool:
    return bool(CHILDREN.get(persona))


def may_open_inbox(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in STAFF


def may_broadcast_at(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and (p_role in OFFICE or p_role in STAFFS)


def may_broadcast_to_group(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    return p_inst == inst and (p_role in OFFICE or suffix in STAFFS.get(p_role, set()))


def may_change_messaging_settings(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in OFFICE


def may_see_receipts(persona: str, key: str) -> bool:
    inst, sender, _recipients = BROADCASTS[key]
    p_inst, p_role = split(persona)
    return (persona == sender and _works_at(persona, inst)) or (p_inst == inst and p_role in OFFICE)


def may_view_broadcast(persona: str, key: str) -> bool:
    return may_see_receipts(persona, key) or persona in BROADCASTS[key][2]
