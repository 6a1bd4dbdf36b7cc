"""Who should see and do what on the Question Wall, from the persona world's description alone
(``commonroom/wall/testing_world.py``), without calling the rules.

- A space's wall: read by the group's learners and staff and the school's head and senior leader (as the
  course space); written (ask, answer, report) by the group's learners and staff only; moderated by the
  group's teacher or tutor only.
- Nobody barred from a learner sees or acts on that learner's threads or posts (a1.teacher2 is barred from
  a1.learnerA1, who asked both world threads at a1).
- A hidden post is not reported; a post is changed only by its author.
"""

from __future__ import annotations

from commonroom.testing.oracle import GROUP_MEMBERS, STAFFS, is_barred, split
from commonroom.testing.oracle_learning import SPACE_GROUPS, may_view_space

# thread key -> (group, who asked)
THREADS = {"a1.maths": ("a1.maths", "a1.learnerA1"), "a1.art": ("a1.art", "a1.learnerA1"),
           "b1.maths": ("b1.maths", "b1.learnerA1")}
# post key -> (thread key, author, hidden)
POSTS = {
    "a1.maths.question": ("a1.maths", "a1.learnerA1", False),
    "a1.maths.answer": ("a1.maths", "a1.learnerA2", False),
    "a1.maths.hidden": ("a1.maths", "a1.learnerB1", True),
    "a1.art.answer": ("a1.art", "a1.learnerA2", False),
    "b1.maths.answer": ("b1.maths", "b1.learnerA2", False),
}
# report key -> the post reported
REPORTS = {"a1.maths": "a1.maths.answer", "b1.maths": "b1.maths.answer"}


def may_read_wall(persona: str, group: str) -> bool:
    return may_view_space(persona, group)


def may_write_wall(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    return (p_inst == inst and suffix in SPACE_GROUPS
            and (suffix in STAFFS.get(p_role, set()) or p_role in GROUP_MEMBERS.get(suffix, set())))


def may_moderate_wall(persona: str, group: str) -> bool:
    inst, suffix = split(group)
    p_inst, p_role = split(persona)
    return p_inst == inst and suffix in STAFFS.get(p_role, set())


def may_view_thread(persona: str, key: str) -> bool:
    group, asker = THREADS[key]
    return may_read_wall(persona, group) and not is_barred(persona, asker)


def may_answer(persona: str, key: str) -> bool:
    group, asker = THREADS[key]
    return may_write_wall(persona, group) and not is_barred(persona, asker)


def may_moderate_thread(persona: str, key: str) -> bool:
    group, asker = THREADS[key]
    return may_moderate_wall(persona, group) and not is_barred(persona, asker)


def _post_barred(persona: str, key: str) -> bool:
    thread, author, _hidden = POSTS[key]
    return is_barred(persona, author) or is_barred(persona, THREADS[thread][1])


def may_change_post(persona: str, key: str) -> bool:
    thread, author, hidden = POSTS[key]
    return persona == author and not hidden and may_write_wall(persona, THREADS[thread][0])


def may_report_post(persona: str, key: str) -> bool:
    thread, author, hidden = POSTS[key]
    return (may_write_wall(persona, THREADS[thread][0]) and persona != author and not hidden
            and not _post_barred(persona, key))


def may_moderate_post(persona: str, key: str) -> bool:
    thread, _author, _hidden = POSTS[key]
    return may_moderate_wall(persona, THREADS[thread][0]) and not _post_barred(persona, key)


def may_resolve_report(persona: str, key: str) -> bool:
    return may_moderate_post(persona, REPORTS[key])


def may_change_wall_settings(persona: str, inst: str) -> bool:
    return persona in {f"{inst}.head", f"{inst}.leader"}
