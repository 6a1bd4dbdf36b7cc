"""Who may find, use and change shared resources and course-space items, in the school's words.

- **Teaching staff** (head, senior leader, SENCO, teacher, at a school today) have a resource bank.
  They make resources there, and find those shared with them: by a colleague at their school
  ("my school"), by a teacher at a school of their local authority ("my local authority"), or by any
  teacher ("everyone on Commonroom"). They may copy what they find, and rate what others made.
- A resource is changed and withdrawn only by its owner. A private resource is seen by its owner alone
  (and by those who see a course space it was placed in).
- **Learners do not browse the bank** (ADR 0013): a learner, and anyone else who sees a course space
  (the group's staff, the school's leaders), sees the resources placed in its sections, whatever their
  audience. Parents, office staff, the DSL and authority officers have no bank.
- **Resources attached to homework** are opened by whoever sees the homework: once it is set, the
  group's learners and their parents and carers (not barred), its staff and the school's leaders; a draft
  only by those who manage it. A learner never sees a private resource that is not attached to their
  homework (or placed in their course space).
- A section item is seen by whoever sees the course space and managed by whoever manages it.
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import Role
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.learning.models import Assignment, AssignmentResource
from commonroom.learning.policies import ASSIGNMENT_VIEW, COURSE_MANAGE, COURSE_VIEW, ThroughGroup
from commonroom.organisations.models import Institution
from commonroom.people.models import Group
from commonroom.resources.models import Resource, SectionItem

BANK_ROLES = (Role.HEAD, Role.LEADER, Role.SENCO, Role.TEACHER)
SCHOOL_WIDE = (Resource.Audience.INSTITUTION, Resource.Audience.AUTHORITY, Resource.Audience.EVERYONE)
AUTHORITY_WIDE = (Resource.Audience.AUTHORITY, Resource.Audience.EVERYONE)


def bank_institutions(actor: Actor) -> frozenset[int]:
    """The schools where the actor is teaching staff today."""
    return actor.institutions_where(*BANK_ROLES)


def bank_authorities(actor: Actor) -> frozenset[int]:
    """The local authorities of those schools (loaded once per actor)."""
    cached = actor.__dict__.get("_bank_authorities")
    if cached is None:
        schools = sorted(bank_institutions(actor))
        cached = frozenset(Institution.objects.filter(pk__in=schools, local_authority__isnull=False)
                           .values_list("local_authority_id", flat=True)) if schools else frozenset()
        actor.__dict__["_bank_authorities"] = cached
    return cached


def _authority_of(resource: Resource) -> int | None:
    return Institution.objects.filter(pk=resource.institution_id).values_list("local_authority_id", flat=True).first()


owns_the_resource = Predicate(
    "made the resource",
    lambda actor, r: actor.person_id is not None and r.owner_id == actor.person_id,
    lambda actor: Q(owner_id=actor.person_id) if actor.person_id is not None else NOTHING,
)
shared_with_my_school = Predicate(
    "teaches at the school it is shared with",
    lambda actor, r: r.audience in SCHOOL_WIDE and r.institution_id in bank_institutions(actor),
    lambda actor: Q(audience__in=SCHOOL_WIDE, institution_id__in=sorted(bank_institutions(actor)))
    if bank_institutions(actor) else NOTHING,
)
shared_with_my_authority = Predicate(
    "teaches in the local authority it is shared with",
    lambda actor, r: r.audience in AUTHORITY_WIDE and bool(bank_authorities(actor))
    and _authority_of(r) in bank_authorities(actor),
    lambda actor: Q(audience__in=AUTHORITY_WIDE, institution__local_authority_id__in=sorted(bank_authorities(actor)))
    if bank_authorities(actor) else NOTHING,
)
shared_with_everyone = Predicate(
    "teaches anywhere on the instance",
    lambda actor, r: r.audience == Resource.Audience.EVERYONE and bool(bank_institutions(actor)),
    lambda actor: Q(audience=Resource.Audience.EVERYONE) if bank_institutions(actor) else NOTHING,
)


def _spaces_groups(actor: Actor):  # type: ignore[no-untyped-def]
    return Group.objects.filter(COURSE_VIEW.q(actor)).values("pk")


# The two checks below are the filter asked about one resource (one query, however many spaces or homework
# it is in), so they agree with it by construction.
placed_in_a_space_i_see = Predicate(
    "sees a course space it is placed in",
    lambda actor, r: SectionItem.objects.filter(resource_id=r.pk,
                                                section__space__group_id__in=_spaces_groups(actor)).exists(),
    lambda actor: Q(pk__in=SectionItem.objects.filter(section__space__group_id__in=_spaces_groups(actor))
                    .values("resource_id")),
)

attached_to_homework_i_see = Predicate(
    "sees homework it is attached to",
    lambda actor, r: AssignmentResource.objects.filter(
        resource_id=r.pk, assignment_id__in=Assignment.objects.filter(ASSIGNMENT_VIEW.q(actor)).values("pk")).exists(),
    lambda actor: Q(pk__in=AssignmentResource.objects.filter(
        assignment_id__in=Assignment.objects.filter(ASSIGNMENT_VIEW.q(actor)).values("pk")).values("resource_id")),
)

not_the_owner = Predicate(
    "did not make the resource",
    lambda actor, r: r.owner_id != actor.person_id,
    lambda actor: ~Q(owner_id=actor.person_id) if actor.person_id is not None else NOTHING,
)

SHARED_WITH_ME = shared_with_my_school | shared_with_my_authority | shared_with_everyone
RESOURCE_BANK = owns_the_resource | shared_with_my_school | shared_with_my_authority | shared_with_everyone
register(
    Resource,
    view=RESOURCE_BANK | placed_in_a_space_i_see | attached_to_homework_i_see,
    copy=RESOURCE_BANK,
    rate=SHARED_WITH_ME & not_the_owner,
    manage=owns_the_resource,
)
register(SectionItem, view=ThroughGroup(COURSE_VIEW, "section__space__group"),
         manage=ThroughGroup(COURSE_MANAGE, "section__space__group"))
