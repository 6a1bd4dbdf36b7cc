"""Who may import and export QTI, from the persona world's description alone (no rules called).

- Keeping a question bank (and so importing into it, and exporting from it): a teacher, head or senior leader at
  a school: the personas head, leader, teacher, teacher2 and tutor (tutors hold the teacher role).
- Reading a question: its owner; and, when shared, those who keep a bank at its school (institution), in its
  local authority (authority) or anywhere (everyone).
- Exporting a quiz: those who see its results: the group's teachers and tutors, the school's head and leader.
"""

from __future__ import annotations

from commonroom.testing.oracle import AUTHORITY_OF, split
from commonroom.testing.oracle_learning import may_manage_space

AUTHORS = {"head", "leader", "teacher", "teacher2", "tutor"}


def may_keep_bank(persona: str, target: str = "") -> bool:
    inst, role = split(persona)
    return inst in AUTHORITY_OF and role in AUTHORS


def may_read_question(persona: str, question: str) -> bool:
    """``question`` is ``<owner persona>:<visibility>``, for example ``a1.teacher:authority``."""
    owner, visibility = question.split(":")
    if persona == owner:
        return True
    if not may_keep_bank(persona) or visibility == "private":
        return False
    inst, owner_inst = split(persona)[0], split(owner)[0]
    if visibility == "everyone" or inst == owner_inst:
        return True
    return visibility == "authority" and AUTHORITY_OF[inst] is not None and AUTHORITY_OF[inst] == AUTHORITY_OF[owner_inst]


def may_export_quiz(persona: str, group: str) -> bool:
    return may_manage_space(persona, group)
