"""Who may see and change questions, quizzes and attempts, in the school's words.

- A question is written by a teacher (anyone holding the teacher, head or senior-leader role at a
  school) and changed only by its owner. It is used (seen, put in a quiz, copied) by its owner and, as
  its owner shares it, by the teachers of its institution, of any school in its institution's local
  authority, or of any school on the site. Learners never read the bank: an attempt carries the question
  as drawn.
- A quiz belongs to a teaching group. It is managed (edited, questions chosen) by the group's teachers
  and tutors; seen, with everyone's results, by them and by the school's head and senior leaders
  (who read, not edit); seen by the group's other staff (an assistant); and, once set, seen and taken
  by the group's learners.
- An attempt is seen by the learner who made it and by those who see the quiz's results, never by
  anyone barred from the learner. Parents and carers have no access to quizzes or attempts (their
  child's homework is where the family sees work set).
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import Role
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.learning.policies import ThroughGroup, leads_teaching_at_groups_school, teaches_the_group
from commonroom.organisations.models import Institution
from commonroom.people.models import Group
from commonroom.people.policies import ThroughLearner, is_the_learner, member_of_group, not_barred, staffs_group
from commonroom.quizzes.models import Attempt, AttemptAnswer, Question, Quiz, Visibility

# Institution roles that may keep a question bank and set quizzes.
AUTHOR_ROLES = (Role.TEACHER, Role.HEAD, Role.LEADER)


def author_institutions(actor: Actor) -> frozenset[int]:
    return actor.institutions_where(*AUTHOR_ROLES)


def is_author(actor: Actor) -> bool:
    return bool(author_institutions(actor))


def _author_authorities(actor: Actor) -> list[int]:
    cached = getattr(actor, "_quiz_authorities", None)
    if cached is None:
        ids = author_institutions(actor)
        cached = sorted(set(Institution.objects.filter(pk__in=sorted(ids), local_authority__isnull=False)
                            .values_list("local_authority_id", flat=True))) if ids else []
        actor._quiz_authorities = cached  # type: ignore[attr-defined]
    return cached


owns_question = Predicate(
    "wrote the question",
    lambda actor, question: actor.person_id is not None and question.owner_id == actor.person_id,
    lambda actor: Q(owner_id=actor.person_id) if actor.person_id is not None else NOTHING,
)

_SHARED_INSTITUTION = (Visibility.INSTITUTION, Visibility.AUTHORITY, Visibility.EVERYONE)
_SHARED_AUTHORITY = (Visibility.AUTHORITY, Visibility.EVERYONE)


def _shared_check(actor: Actor, question: Question) -> bool:
    institutions = author_institutions(actor)
    if not institutions:
        return False
    if question.visibility == Visibility.EVERYONE:
        return True
    if question.visibility in _SHARED_INSTITUTION and question.institution_id in institutions:
        return True
    if question.visibility in _SHARED_AUTHORITY:
        authority = Institution.objects.filter(pk=question.institution_id).values_list("local_authority_id", flat=True).first()
        return authority is not None and authority in _author_authorities(actor)
    return False


def _shared_q(actor: Actor) -> Q:
    institutions = sorted(author_institutions(actor))
    if not institutions:
        return NOTHING
    q = Q(visibility=Visibility.EVERYONE) | Q(visibility__in=_SHARED_INSTITUTION, institution_id__in=institutions)
    authorities = _author_authorities(actor)
    if authorities:
        q |= Q(visibility__in=_SHARED_AUTHORITY, institution__local_authority_id__in=authorities)
    return q


shared_with_teacher = Predicate("is a teacher the question is shared with", _shared_check, _shared_q)

register(Question, view=owns_question | shared_with_teacher, manage=owns_question)

# Quizzes, reached through their group.
QUIZ_MANAGE = teaches_the_group
QUIZ_RESULTS = teaches_the_group | leads_teaching_at_groups_school
register(Group, manage_quizzes=QUIZ_MANAGE,
         view_quizzes=staffs_group | leads_teaching_at_groups_school | member_of_group)


def _is_set(quiz: Quiz) -> bool:
    return quiz.state == Quiz.State.SET


_set = Q(state=Quiz.State.SET)
register(
    Quiz,
    manage=ThroughGroup(QUIZ_MANAGE),
    results=ThroughGroup(QUIZ_RESULTS),
    view=ThroughGroup(staffs_group | leads_teaching_at_groups_school)
    | ThroughGroup(member_of_group, extra=_set, extra_check=_is_set),
    take=ThroughGroup(member_of_group, extra=_set, extra_check=_is_set),
)

ATTEMPT_VIEW = ThroughLearner(is_the_learner, name="the learner") | (
    ThroughGroup(QUIZ_RESULTS, "quiz__group") & ThroughLearner(not_barred))
register(Attempt, view=ATTEMPT_VIEW, answer=ThroughLearner(is_the_learner, name="the learner"))


class _ThroughAttempt(Predicate):
    def __init__(self) -> None:
        super().__init__("attempt: seen", lambda actor, row: ATTEMPT_VIEW.check(actor, row.attempt),
                         lambda actor: Q(attempt_id__in=Attempt.objects.filter(ATTEMPT_VIEW.q(actor)).values("pk")))


register(AttemptAnswer, view=_ThroughAttempt())


# Adaptive practice (docs/adaptive-practice.md).
from commonroom.quizzes import practice_policies  # noqa: E402, F401
