"""Who should see what of questions, quizzes and attempts, from the persona world's description alone
(``commonroom/quizzes/testing_world.py``), without calling the rules.

- A question (``<inst>.<visibility>``, written by ``<inst>.teacher``): changed by its owner only; used by
  its owner and by teachers, heads and senior leaders it is shared with (its institution; any school of
  its institution's authority; everyone).
- A quiz (``<inst>.maths`` practice, ``<inst>.maths.test``, ``<inst>.art.draft``): managed by the group's
  teacher; results for them and the school's head and senior leader; seen also by other staff of the
  group and, once set, by the group's learners, who take it.
- An attempt (``<inst>.<learner>``, on the maths practice): the learner, and those who see the quiz's
  results, never anyone barred from the learner. Parents: nothing.
"""

from __future__ import annotations

from commonroom.testing.oracle import AUTHORITY_OF, GROUP_MEMBERS, STAFFS, is_barred, split

AUTHORS = {"head", "leader", "teacher", "teacher2", "tutor"}
LEADERS = {"head", "leader"}


def is_author(persona: str) -> bool:
    return split(persona)[1] in AUTHORS and split(persona)[0] in AUTHORITY_OF


def may_use_question(persona: str, target: str) -> bool:
    inst, visibility = split(target)
    if persona == f"{inst}.teacher":
        return True
    if not is_author(persona):
        return False
    p_inst = split(persona)[0]
    if visibility == "everyone":
        return True
    if visibility == "institution":
        return p_inst == inst
    if visibility == "authority":
        return p_inst == inst or (AUTHORITY_OF[inst] is not None and AUTHORITY_OF[p_inst] == AUTHORITY_OF[inst])
    return False


def may_manage_question(persona: str, target: str) -> bool:
    return persona == f"{split(target)[0]}.teacher"


def _quiz(target: str) -> tuple[str, str, bool]:
    parts = target.split(".")
    return parts[0], parts[1], len(parts) > 2 and parts[2] == "draft"


def may_view_group_quizzes(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    if p_inst != inst or suffix not in ("maths", "art"):
        return False
    return p_role in LEADERS or suffix in STAFFS.get(p_role, set()) or p_role in GROUP_MEMBERS[suffix]


def may_manage_group_quizzes(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    return p_inst == inst and suffix in ("maths", "art") and suffix in STAFFS.get(p_role, set())


def may_manage_quiz(persona: str, target: str) -> bool:
    inst, group, _draft = _quiz(target)
    return may_manage_group_quizzes(persona, f"{inst}.{group}")


def may_see_results(persona: str, target: str) -> bool:
    inst, _group, _draft = _quiz(target)
    p_inst, p_role = split(persona)
    return may_manage_quiz(persona, target) or (p_inst == inst and p_role in LEADERS)


def may_take_quiz(persona: str, target: str) -> bool:
    inst, group, draft = _quiz(target)
    p_inst, p_role = split(persona)
    return not draft and p_inst == inst and p_role in GROUP_MEMBERS[group]


def may_view_quiz(persona: str, target: str) -> bool:
    inst, group, _draft = _quiz(target)
    p_inst, p_role = split(persona)
    staff = p_inst == inst and (p_role in LEADERS or group in STAFFS.get(p_role, set()))
    return staff or may_take_quiz(persona, target)


def may_view_attempt(persona: str, learner: str) -> bool:
    if persona == learner:
        return True
    return may_see_results(persona, f"{split(learner)[0]}.maths") and not is_barred(persona, learner)
