"""Who may read and change self-reviews, in the school's words.

- Frameworks (every version, withdrawn ones too) are read by anyone signed in.
- A review belongs to its institution. The head and senior leaders there start reviews, assign
  elements, answer any aspect and complete the review.
- A colleague (anyone with a role at the institution) to whom a leader assigned an element reads the
  whole review and answers the aspects of their element, while the review is in progress.
- Other staff of the institution do NOT see a review unless assigned to it: a review in progress is
  a leadership working document (decided for this first increment; the result may be shared later).
- Officers of the institution's local authority read its reviews (they change nothing).
- Governors of the institution read its reviews and results (they change nothing).
- The Charter (docs/self-review.md): the institution's leaders, governors, and its authority's officers
  and assessors read its stage and history. Leaders record the commitment and ask for recognition;
  an officer of the authority confirms recognition with the adviser's reference; an assessor of the
  authority records the ICT Mark visit and its outcome (and the Excellence stage).
- A file attached as evidence to an answer is read by whoever may read the review, and removed by whoever
  may change the answer (so only while the review is in progress).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import INSTITUTION_ROLES, ROLE_MANAGERS, Role
from commonroom.authz.registry import register
from commonroom.authz.rules import EVERYTHING, NOTHING, Predicate
from commonroom.organisations.models import Institution
from commonroom.selfreview.models import AspectAnswer, ElementAssignment, EvidenceFile, Framework, Review

REVIEW_LEADERS = ROLE_MANAGERS  # the head and senior leaders


def _led(actor: Actor) -> list[int]:
    return sorted(actor.institutions_where(*REVIEW_LEADERS))


def _staff_at(actor: Actor) -> list[int]:
    return sorted(actor.institutions_where(*INSTITUTION_ROLES))


def _officer_of(actor: Actor) -> list[int]:
    return sorted(actor.authorities_where(Role.LA_OFFICER))


def _governs(actor: Actor) -> list[int]:
    return sorted(actor.institutions_where(Role.GOVERNOR))


def _assessor_of(actor: Actor) -> list[int]:
    return sorted(actor.authorities_where(Role.ASSESSOR))


def _assignments(actor: Actor) -> Q:
    """Assignments of the actor at institutions where they still hold a role."""
    return Q(person_id=actor.person_id, institution_id__in=_staff_at(actor))


signed_in = Predicate("is signed in", lambda actor, obj: True, lambda actor: EVERYTHING)

leads_institution = Predicate(
    "is the head or a senior leader there",
    lambda actor, inst: inst.pk in actor.institutions_where(*REVIEW_LEADERS),
    lambda actor: Q(pk__in=_led(actor)) if _led(actor) else NOTHING,
)

leads_reviews_institution = Predicate(
    "is the head or a senior leader at the review's institution",
    lambda actor, review: review.institution_id in actor.institutions_where(*REVIEW_LEADERS),
    lambda actor: Q(institution_id__in=_led(actor)) if _led(actor) else NOTHING,
)

assigned_to_review = Predicate(
    "was assigned an element of the review (and still works there)",
    lambda actor, review: actor.person_id is not None
    and ElementAssignment.objects.filter(_assignments(actor), review_id=review.pk).exists(),
    lambda actor: Q(pk__in=ElementAssignment.objects.filter(_assignments(actor)).values("review_id"))
    if actor.person_id is not None and _staff_at(actor) else NOTHING,
)

officer_of_reviews_authority = Predicate(
    "is an officer of the authority that maintains the review's institution",
    lambda actor, review: review.institution.local_authority_id is not None
    and review.institution.local_authority_id in actor.authorities_where(Role.LA_OFFICER),
    lambda actor: Q(institution__local_authority_id__in=_officer_of(actor)) if _officer_of(actor) else NOTHING,
)

governor_of_reviews_institution = Predicate(
    "is a governor of the review's institution",
    lambda actor, review: review.institution_id in actor.institutions_where(Role.GOVERNOR),
    lambda actor: Q(institution_id__in=_governs(actor)) if _governs(actor) else NOTHING,
)

in_progress = Predicate("the review is in progress", lambda actor, review: review.status == Review.Status.IN_PROGRESS,
                        lambda actor: Q(status=Review.Status.IN_PROGRESS))

answer_in_progress = Predicate(
    "the review is in progress",
    lambda actor, answer: answer.review.status == Review.Status.IN_PROGRESS,
    lambda actor: Q(review__status=Review.Status.IN_PROGRESS),
)

leads_answers_institution = Predicate(
    "is the head or a senior leader at the institution",
    lambda actor, answer: answer.institution_id in actor.institutions_where(*REVIEW_LEADERS),
    lambda actor: Q(institution_id__in=_led(actor)) if _led(actor) else NOTHING,
)


def _assigned_answers_q(actor: Actor) -> Q:
    if actor.person_id is None or not _staff_at(actor):
        return NOTHING
    pairs = ElementAssignment.objects.filter(_assignments(actor)).values_list("review_id", "element_id")
    routes = NOTHING
    for review_id, element_id in pairs:
        routes |= Q(review_id=review_id, element_id=element_id)
    return routes


assigned_the_element = Predicate(
    "was assigned the aspect's element (and still works there)",
    lambda actor, answer: actor.person_id is not None and ElementAssignment.objects.filter(
        _assignments(actor), review_id=answer.review_id, element_id=answer.element_id).exists(),
    _assigned_answers_q,
)

governs_institution = Predicate(
    "is a governor there",
    lambda actor, inst: inst.pk in actor.institutions_where(Role.GOVERNOR),
    lambda actor: Q(pk__in=_governs(actor)) if _governs(actor) else NOTHING,
)

officer_of_institutions_authority = Predicate(
    "is an officer of the institution's authority",
    lambda actor, inst: inst.local_authority_id is not None and inst.local_authority_id in actor.authorities_where(Role.LA_OFFICER),
    lambda actor: Q(local_authority_id__in=_officer_of(actor)) if _officer_of(actor) else NOTHING,
)

assessor_of_institutions_authority = Predicate(
    "is an ICT Mark assessor for the institution's authority",
    lambda actor, inst: inst.local_authority_id is not None and inst.local_authority_id in actor.authorities_where(Role.ASSESSOR),
    lambda actor: Q(local_authority_id__in=_assessor_of(actor)) if _assessor_of(actor) else NOTHING,
)

register(Framework, view=signed_in)
register(
    Institution,
    start_self_review=leads_institution,
    view_charter=leads_institution | governs_institution | officer_of_institutions_authority | assessor_of_institutions_authority,
    commit_to_charter=leads_institution,
    confirm_charter=officer_of_institutions_authority,
    assess_charter=assessor_of_institutions_authority,
)
register(
    Review,
    view=leads_reviews_institution | assigned_to_review | officer_of_reviews_authority | governor_of_reviews_institution,
    manage=leads_reviews_institution,
    edit=in_progress & leads_reviews_institution,
)
register(AspectAnswer, change=answer_in_progress & (leads_answers_institution | assigned_the_element))


def _readable_reviews(actor: Actor) -> Q:
    from commonroom.authz.api import visible

    return Q(review_id__in=visible(actor, Review).values("pk"))


def _changeable_answers(actor: Actor) -> Q:
    from commonroom.authz.api import visible

    return Q(answer_id__in=visible(actor, AspectAnswer, "change").values("pk"))


def _may(action: str, attr: str) -> Callable[[Actor, EvidenceFile], bool]:
    def check(actor: Actor, obj: EvidenceFile) -> bool:
        from commonroom.authz.api import can

        return can(actor, action, getattr(obj, attr))

    return check


file_review_readable = Predicate("may read the file's review", _may("view", "review"), _readable_reviews)
file_answer_changeable = Predicate("may change the answer the file is attached to", _may("change", "answer"),
                                   _changeable_answers)
register(EvidenceFile, view=file_review_readable, remove=file_answer_changeable)

from commonroom.selfreview import policies_plans  # noqa: E402,F401  (benchmarks, action plans, the authority view)
