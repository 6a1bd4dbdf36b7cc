"""Who should see what of adaptive practice, from the persona world's description alone
(``commonroom/quizzes/practice_testing_world.py``), without calling the rules.

- The practice quiz of a school's maths group is practised by the group's learners only.
- A learner's practice turn is seen by the learner and by those who manage the maths group (its teacher,
  the head and the senior leader), never by someone barred from the learner; answered by the learner only.
- Skills are seen as the learner is (``oracle.may_view_learner``); a group's mastery by those who manage
  the group (``oracle_learning.may_manage_space``).
"""

from __future__ import annotations

from commonroom.testing.oracle import GROUP_MEMBERS, is_barred, split
from commonroom.testing.oracle_learning import may_manage_space


def may_practise(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in GROUP_MEMBERS.get(suffix, set())


def may_view_turn(persona: str, learner: str) -> bool:
    """``learner``'s turn in the practice quiz of their school's maths group."""
    if persona == learner:
        return True
    return not is_barred(persona, learner) and may_manage_space(persona, f"{split(learner)[0]}.maths")


def may_answer_turn(persona: str, learner: str) -> bool:
    return persona == learner
