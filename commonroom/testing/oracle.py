"""Who should see what in the persona world, written from the world's description alone.

These functions deliberately do not call the authz rules: they are the independent answer
that the matrix and the property tests compare the rules against.
"""

from __future__ import annotations

WHOLE_INSTITUTION = {"head", "leader", "senco", "dsl", "office"}
OFFICE = {"head", "leader", "office"}  # may enrol learners and change their records
AUTHORITY_OF = {"a1": "la1", "a2": "la1", "b1": "la2", "b2": "la2", "solo": None}
CHILDREN = {"parent.a1": {"a1.learnerA1"}, "parent.two": {"a1.learnerA2", "b1.learnerA1"}}
# Barred by a court order or similar: the bar wins over every other route (a1.teacher2 teaches art to form A).
BARRED = {"parent.barred": {"a1.learnerA1"}, "a1.teacher2": {"a1.learnerA1"}}
# Groups each classroom persona staffs, by suffix.
STAFFS = {"teacher": {"maths"}, "teacher2": {"art"}, "tutor": {"formA"}}
GROUP_MEMBERS = {
    "year10": {"learnerA1", "learnerA2", "learnerB1", "learnerB2"},
    "maths": {"learnerA1", "learnerA2", "learnerB1", "learnerB2"},
    "art": {"learnerA1", "learnerA2"},
    "formA": {"learnerA1", "learnerA2"},
    "formB": {"learnerB1", "learnerB2"},
}


def split(key: str) -> tuple[str, str]:
    inst, _, who = key.partition(".")
    return inst, who


def is_barred(persona: str, learner: str) -> bool:
    return learner in BARRED.get(persona, set())


def may_view_learner(persona: str, learner: str) -> bool:
    inst, who = split(learner)
    if persona == learner:
        return True
    if is_barred(persona, learner):
        return False
    if who == "leaver":
        return False
    p_inst, p_role = split(persona)
    if p_inst == inst and p_role in WHOLE_INSTITUTION:
        return True
    if p_inst == inst and p_role in STAFFS:
        return any(who in GROUP_MEMBERS[group] for group in STAFFS[p_role])
    if AUTHORITY_OF.get(inst) and persona == f"{AUTHORITY_OF[inst]}.officer":
        return True
    return learner in CHILDREN.get(persona, set())


def may_view_group(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    if p_inst == inst and p_role in WHOLE_INSTITUTION:
        return True
    if p_inst == inst and suffix in STAFFS.get(p_role, set()):
        return True
    if p_inst == inst and p_role in GROUP_MEMBERS[suffix]:
        return True
    return bool(AUTHORITY_OF.get(inst)) and persona == f"{AUTHORITY_OF[inst]}.officer"


def may_view_institution(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    if persona == "platform.admin":
        return True
    if p_inst == inst and p_role not in ("leaver", "governor"):
        return True  # staff of any role, and learners on roll (a governor is not staff: selfreview reads only)
    if AUTHORITY_OF.get(inst) and persona == f"{AUTHORITY_OF[inst]}.officer":
        return True
    return any(split(child)[0] == inst for child in CHILDREN.get(persona, set()))


def may_enrol_at(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in OFFICE


def may_change_learner(persona: str, learner: str) -> bool:
    """Office and leadership where the learner is on roll (not a leaver), unless barred from them."""
    inst, who = split(learner)
    return who != "leaver" and may_enrol_at(persona, inst) and not is_barred(persona, learner)


def may_change_institution(persona: str, inst: str) -> bool:
    return persona == "platform.admin" or persona == f"{inst}.head"


def may_invite(persona: str, link: str) -> bool:
    """``link`` is '<parent>><learner>'; barred links can never be invited."""
    parent, learner = link.split(">")
    if learner in BARRED.get(parent, set()):
        return False
    return may_change_learner(persona, learner)


def may_grant_roles(persona: str) -> bool:
    _inst, role = split(persona)
    return persona == "platform.admin" or role in {"head", "leader"} or persona.endswith(".officer")


def may_end_role_of(persona: str, holder: str) -> bool:
    """Ending a teacher's role at their institution: that institution's head or leader, or the platform admin."""
    inst = split(holder)[0]
    return persona in {"platform.admin", f"{inst}.head", f"{inst}.leader"}


# Attendance.

REGISTRATION_GROUPS = {"formA", "formB"}
TUTORS = {"tutor": {"formA"}}


def _officer_of(persona: str, inst: str) -> bool:
    return bool(AUTHORITY_OF.get(inst)) and persona == f"{AUTHORITY_OF[inst]}.officer"


def may_take_register(persona: str, group: str) -> bool:
    """Form tutors take their own registration group's register; office and leaders any at their school."""
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    if suffix not in REGISTRATION_GROUPS or p_inst != inst:
        return False
    return p_role in OFFICE or suffix in TUTORS.get(p_role, set())


def may_view_group_attendance(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    if p_inst == inst and (p_role in WHOLE_INSTITUTION or suffix in STAFFS.get(p_role, set())):
        return True
    return _officer_of(persona, inst)


def may_view_institution_attendance(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return (p_inst == inst and p_role in WHOLE_INSTITUTION) or _officer_of(persona, inst)


def may_amend_attendance_at(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in OFFICE


def may_amend_mark_of(persona: str, learner: str) -> bool:
    """A mark recorded at the learner's school: that school's office and leaders, unless barred."""
    return may_amend_attendance_at(persona, split(learner)[0]) and not is_barred(persona, learner)


# Behaviour.

# The matrix world's incidents: one at a1 and one at b1, each recorded by <inst>.teacher about
# <inst>.learnerA1 and <inst>.learnerA2, with <inst>.tutor as follow-up owner.
INCIDENT_LEARNERS = {"learnerA1", "learnerA2"}


def may_view_incident(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    if any(is_barred(persona, f"{inst}.{who}") for who in INCIDENT_LEARNERS):
        return False
    return p_inst == inst and (p_role in WHOLE_INSTITUTION or p_role in {"teacher", "tutor"})


def may_record_for_group(persona: str, group: str) -> bool:
    """Staff of the group, or whole-school staff, with at least one learner in it they may record for."""
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    if p_inst != inst or not (p_role in WHOLE_INSTITUTION or suffix in STAFFS.get(p_role, set())):
        return False
    return any(not is_barred(persona, f"{inst}.{who}") for who in GROUP_MEMBERS[suffix])


def may_record_behaviour_for(persona: str, learner: str) -> bool:
    inst, who = split(learner)
    p_inst, p_role = split(persona)
    if who == "leaver" or is_barred(persona, learner) or p_inst != inst:
        return False
    return p_role in WHOLE_INSTITUTION or any(who in GROUP_MEMBERS[g] for g in STAFFS.get(p_role, set()))


def may_manage_behaviour(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in {"head", "leader"}


# Timetable and lessons. The matrix world has a maths lesson at a1 and at b1 taught by <inst>.teacher.


def may_manage_timetable(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in OFFICE


def may_view_timetable(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and (p_role in WHOLE_INSTITUTION or p_role in STAFFS)


def may_take_lesson_register(persona: str, inst: str) -> bool:
    """The maths lesson: its teacher, or attendance staff at the school."""
    p_inst, p_role = split(persona)
    return p_inst == inst and (p_role in OFFICE or p_role == "teacher")


# Assessment. At a1 and b1: maths results for learnerA1 and learnerA2 at a published point.
TEACHING_GROUPS = {"maths", "art"}


def may_manage_assessment(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in OFFICE


def may_enter_grades(persona: str, group: str) -> bool:
    """A teaching group's marksheet: its teacher, or the school's leaders and office."""
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    if suffix not in TEACHING_GROUPS or p_inst != inst:
        return False
    return p_role in OFFICE or (p_role in {"teacher", "teacher2"} and suffix in STAFFS[p_role])


def may_view_group_progress(persona: str, group: str) -> bool:
    return may_view_group_attendance(persona, group)


def may_view_institution_assessment(persona: str, inst: str) -> bool:
    return may_view_institution_attendance(persona, inst)


def may_view_results_of(persona: str, learner: str, *, family_visible: bool = True) -> bool:
    """Staff as for attendance marks; the learner and family only for visible aspects of a published point."""
    inst, who = split(learner)
    if is_barred(persona, learner):
        return False
    if persona == learner or learner in CHILDREN.get(persona, set()):
        return family_visible
    p_inst, p_role = split(persona)
    if p_inst == inst and p_role in WHOLE_INSTITUTION:
        return True
    if p_inst == inst and p_role in STAFFS and who != "leaver":
        return any(who in GROUP_MEMBERS[group] for group in STAFFS[p_role])
    return _officer_of(persona, inst)


# SEN. At a1 and b1: learnerA1 on SEN support (shared with the family), learnerB1 with an EHC plan (not shared).
SEN_SHARED = {"learnerA1"}


def may_read_sen_in_full(persona: str, learner: str) -> bool:
    inst, _who = split(learner)
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in {"senco", "head", "leader"} and not is_barred(persona, learner)


def may_manage_sen(persona: str, learner: str) -> bool:
    inst, who = split(learner)
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in {"senco", "head"} and not is_barred(persona, learner) and who != "leaver"


def may_read_sen_summary(persona: str, learner: str) -> bool:
    """The SEN summary for teaching: SEN readers, and the learner's own teachers and tutors."""
    if may_read_sen_in_full(persona, learner):
        return True
    inst, who = split(learner)
    p_inst, p_role = split(persona)
    if p_inst != inst or p_role not in STAFFS or is_barred(persona, learner) or who == "leaver":
        return False
    return any(who in GROUP_MEMBERS[group] for group in STAFFS[p_role])


def may_read_sen_as_family(persona: str, learner: str) -> bool:
    _inst, who = split(learner)
    if who not in SEN_SHARED or is_barred(persona, learner):
        return False
    return persona == learner or learner in CHILDREN.get(persona, set())


def may_view_sen_register(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in {"senco", "head", "leader"}


# Written reports. At a1 and b1: a cycle being written and a published one (reports for learnerA1, learnerA2).


def may_manage_reports(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in {"head", "leader"}


def may_view_report_cycles(persona: str, inst: str) -> bool:
    p_inst, p_role = split(persona)
    return p_inst == inst and (p_role in WHOLE_INSTITUTION or p_role in STAFFS)


def may_write_reports_for(persona: str, group: str) -> bool:
    """Subject comments: the group's teacher; tutor comments: the form tutor; leaders any group."""
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    if p_inst != inst:
        return False
    if p_role in {"head", "leader"}:
        return True
    if suffix in TEACHING_GROUPS:
        return p_role in {"teacher", "teacher2"} and suffix in STAFFS[p_role]
    return suffix in REGISTRATION_GROUPS and suffix in TUTORS.get(p_role, set())


def may_read_published_report(persona: str, learner: str) -> bool:
    """The learner and their family (not barred); whole-school staff there; the learner's teachers there."""
    inst, who = split(learner)
    if is_barred(persona, learner):
        return False
    if persona == learner or learner in CHILDREN.get(persona, set()):
        return True
    p_inst, p_role = split(persona)
    if p_inst == inst and p_role in WHOLE_INSTITUTION:
        return True
    return p_inst == inst and p_role in STAFFS and any(who in GROUP_MEMBERS[g] for g in STAFFS[p_role])
# CTF exchange. Sending a learner's Common Transfer File: office and leadership of a school where the
# learner is or was enrolled (leavers included), never someone barred from the learner.


def may_send_ctf_for(persona: str, learner: str) -> bool:
    inst, _who = split(learner)
    return may_enrol_at(persona, inst) and not is_barred(persona, learner)


def may_view_access_log(persona: str, learner: str) -> bool:
    """Who looked at a learner's record: the learner, their guardians and the head where they are on roll."""
    inst, who = split(learner)
    if persona == learner:
        return True
    if is_barred(persona, learner):
        return False
    if persona == f"{inst}.head" and who != "leaver":
        return True
    return learner in CHILDREN.get(persona, set())
