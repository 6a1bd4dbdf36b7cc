"""Who may report absences, ask for changes, decide on them and read uptake, from the world's description.

Written without calling the authz rules (see ``commonroom/testing/oracle.py``). Every parent link in the
persona world carries parental responsibility.
"""

from __future__ import annotations

from commonroom.testing.oracle import BARRED, CHILDREN, OFFICE, is_barred, split


def may_report_absence(persona: str, learner: str) -> bool:
    """A parent with parental responsibility (link in force, not barred); nobody else."""
    return learner in CHILDREN.get(persona, set()) and learner not in BARRED.get(persona, set())


def is_office_at(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in OFFICE


def may_decide_report_about(persona: str, learner: str) -> bool:
    """The office where the report was made (the learner's school), unless barred from the learner."""
    return is_office_at(persona, split(learner)[0]) and not is_barred(persona, learner)


# The world's change requests: "parent.two:phone" (a parent with children at a1 and b1) and
# "a1.learnerA1:dietary_needs" (asked by parent.a1).
CHANGE_SCHOOLS = {"parent.two:phone": {"a1", "b1"}, "a1.learnerA1:dietary_needs": {"a1"}}


def may_decide_change(persona: str, change: str) -> bool:
    about = change.split(":")[0]
    if "." in about and split(about)[1].startswith("learner") and is_barred(persona, about):
        return False
    return any(is_office_at(persona, inst) for inst in CHANGE_SCHOOLS[change])


def may_decide_change_at(persona: str, target: str) -> bool:
    """``target`` is '<inst>|<change>': the office of that school, if the change belongs there."""
    inst, change = target.split("|")
    return inst in CHANGE_SCHOOLS[change] and is_office_at(persona, inst) and may_decide_change(persona, change)


def may_request_own_change(persona: str) -> bool:
    """Anyone with a child they may act for (parental responsibility, not barred)."""
    return any(not is_barred(persona, child) for child in CHILDREN.get(persona, set()))
