"""Who may read, write and moderate the Question Wall, in the school's words.

- A course space's wall is read by the group's learners (membership in force) and staff (teacher, tutor,
  assistant in force), and by the school's head and senior leaders, who read but do not post. Parents and
  carers do not see it: it is the class's conversation.
- Learners of the group and its staff ask and answer, and report a post (not their own). Only the group's
  teachers and tutors moderate: pin and lock threads, endorse answers, hide and unhide posts, and resolve
  reports.
- A hidden post is seen by the group's staff and the school's leaders (greyed, with the reason), never by
  learners, the author included. A thread whose question is hidden disappears for learners (its title
  with it) and takes no more answers.
- Someone barred from a learner (a court order, or a teacher who is also a barred contact) sees none of that
  learner's posts, threads or reports, and cannot act on them: the bar wins.
- A post is changed or deleted by its author only (the time window is the service's).
- The allowed-sites setting is changed by the institution's head and senior leaders.
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import Role
from commonroom.authz.registry import register
from commonroom.authz.rules import EVERYTHING, NOTHING, Predicate
from commonroom.learning.models import CourseSpace
from commonroom.learning.policies import ThroughGroup, leads_teaching_at_groups_school, teaches_the_group
from commonroom.organisations.models import Institution
from commonroom.people.policies import barred_learner_ids, member_of_group, staffs_group
from commonroom.wall.models import Post, Report, Thread, WallSettings

WALL_READ = staffs_group | member_of_group | leads_teaching_at_groups_school
WALL_WRITE = staffs_group | member_of_group
WALL_STAFF = staffs_group | leads_teaching_at_groups_school
WALL_MODERATE = teaches_the_group

register(CourseSpace, wall_read=ThroughGroup(WALL_READ), wall_write=ThroughGroup(WALL_WRITE),
         wall_staff=ThroughGroup(WALL_STAFF), wall_moderate=ThroughGroup(WALL_MODERATE))


def _not_barred_from(field: str, name: str) -> Predicate:
    def q(actor: Actor) -> Q:
        barred = barred_learner_ids(actor)
        return ~Q(**{f"{field}__in": sorted(barred)}) if barred else EVERYTHING

    return Predicate(
        name,
        lambda actor, row: _follow(row, field) not in barred_learner_ids(actor),
        q,
    )


def _follow(row: object, path: str) -> object:
    *steps, last = path.split("__")
    for step in steps:
        row = getattr(row, step)
    return getattr(row, last)


asker_not_barred = _not_barred_from("author_id", "is not barred from the learner who asked")
author_not_barred = _not_barred_from("author_id", "is not barred from the post's author")
reported_author_not_barred = _not_barred_from("post__author_id", "is not barred from the post's author")
post_asker_not_barred = _not_barred_from("thread__author_id", "is not barred from the learner who asked")
reported_asker_not_barred = _not_barred_from("post__thread__author_id", "is not barred from the learner who asked")

question_shown = Predicate(
    "the question is not hidden",
    lambda actor, thread: not Post.objects.filter(thread_id=thread.pk, is_question=True, hidden=True).exists(),
    lambda actor: ~Q(pk__in=Post.objects.filter(is_question=True, hidden=True).values("thread_id")),
)
register(
    Thread,
    view=((ThroughGroup(WALL_READ, "space__group") & question_shown) | ThroughGroup(WALL_STAFF, "space__group"))
    & asker_not_barred,
    answer=ThroughGroup(WALL_WRITE, "space__group") & question_shown & asker_not_barred,
    moderate=ThroughGroup(WALL_MODERATE, "space__group") & asker_not_barred,
)

not_hidden = Predicate("the post is not hidden", lambda actor, post: not post.hidden, lambda actor: Q(hidden=False))
wrote_it = Predicate(
    "wrote the post",
    lambda actor, post: actor.person_id is not None and post.author_id == actor.person_id,
    lambda actor: Q(author_id=actor.person_id) if actor.person_id else NOTHING,
)
not_wrote_it = Predicate(
    "did not write the post",
    lambda actor, post: post.author_id != actor.person_id,
    lambda actor: ~Q(author_id=actor.person_id) if actor.person_id else EVERYTHING,
)
_post_read = ThroughGroup(WALL_READ, "thread__space__group")
_post_staff = ThroughGroup(WALL_STAFF, "thread__space__group")
_post_not_barred = author_not_barred & post_asker_not_barred
POST_VIEW = ((_post_read & not_hidden) | _post_staff) & _post_not_barred
register(
    Post,
    view=POST_VIEW,
    change=wrote_it & ThroughGroup(WALL_WRITE, "thread__space__group") & not_hidden,
    report=ThroughGroup(WALL_WRITE, "thread__space__group") & not_hidden & not_wrote_it & _post_not_barred,
    moderate=ThroughGroup(WALL_MODERATE, "thread__space__group") & _post_not_barred,
)

REPORT_RESOLVE = (ThroughGroup(WALL_MODERATE, "post__thread__space__group") & reported_author_not_barred
                  & reported_asker_not_barred)
register(Report, view=REPORT_RESOLVE, resolve=REPORT_RESOLVE)


def _leading(actor: Actor) -> frozenset[int]:
    return actor.institutions_where(Role.HEAD, Role.LEADER)


leads_institution = Predicate(
    "is the head or a senior leader there",
    lambda actor, institution: institution.pk in _leading(actor),
    lambda actor: Q(pk__in=sorted(_leading(actor))) if _leading(actor) else NOTHING,
)
register(Institution, wall_settings=leads_institution)
register(WallSettings, change=Predicate(
    "is the head or a senior leader at its institution",
    lambda actor, row: row.institution_id in _leading(actor),
    lambda actor: Q(institution_id__in=sorted(_leading(actor))) if _leading(actor) else NOTHING,
))
