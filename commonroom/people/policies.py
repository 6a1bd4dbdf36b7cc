"""Who may see learners, their groups, enrolments and contacts, in the school's words.

- the learner themself;
- a guardian: a contact of the learner with access not barred;
- staff with a whole-institution role (head, leader, SENCO, DSL, office) where the learner is
  enrolled, or is due to join (an enrolment that has not ended, a September starter included);
- a teacher, tutor or assistant of a group the learner is in today;
- a local-authority officer of the authority that maintains the learner's institution.
Platform administrators run the service; they do not read children's records.

A barred relationship wins over every route: someone barred from a learner (a ContactLink with
``access_barred``) never sees them, nor anything reached through them, even if they also teach
the learner, work at the school or oversee it for the authority.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import OFFICE_ROLES, WHOLE_INSTITUTION_ROLES, Role
from commonroom.authz.registry import register
from commonroom.authz.rules import EVERYTHING, NOTHING, Predicate
from commonroom.common.dates import in_force
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, Learner


def not_ended(on: datetime.date, prefix: str = "") -> Q:
    """Q for dated rows that have not ended by ``on``: in force, or starting later (a learner due to join)."""
    return Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})


def learner_institutions(actor: Actor, learner_id: int, *, upcoming: bool = False) -> dict[int, int | None]:
    """Institution id -> its authority id, for the learner's enrolments in force on the actor's day
    (with ``upcoming``, also those that start later)."""
    dated = not_ended(actor.on) if upcoming else in_force(on=actor.on)
    return dict(
        Enrolment.objects.filter(dated, learner_id=learner_id).values_list(
            "institution_id", "institution__local_authority_id"
        )
    )


def learner_group_ids(actor: Actor, learner_id: int) -> set[int]:
    return set(
        GroupMembership.objects.filter(in_force(on=actor.on), learner_id=learner_id).values_list("group_id", flat=True)
    )


def _may_be_barred(actor: Actor) -> bool:
    """Only someone with another route to learners (a role, or a group they staff) can be held back
    by a bar: for everyone else the guardian rule already leaves barred links out."""
    return actor.person_id is not None and bool(actor.role_rows or actor.staff_groups)


def _bars(actor: Actor):
    return ContactLink.objects.filter(in_force(on=actor.on), contact_id=actor.person_id, access_barred=True)


def barred_learner_ids(actor: Actor) -> frozenset[int]:
    """Learners this actor is barred from (a contact link with access barred, in force), loaded once per actor."""
    cached = actor.__dict__.get("_barred_learner_ids")
    if cached is None:
        cached = frozenset(_bars(actor).values_list("learner_id", flat=True)) if _may_be_barred(actor) else frozenset()
        actor.__dict__["_barred_learner_ids"] = cached
    return cached


def change_institution_ids(actor: Actor, learner_id: int) -> list[int]:
    """Where the actor may change this learner's record: their office or leadership institutions
    at which the learner's enrolment has not ended, in id order. Empty if barred from the learner."""
    if learner_id in barred_learner_ids(actor):
        return []
    mine = actor.institutions_where(*OFFICE_ROLES)
    return sorted(mine & learner_institutions(actor, learner_id, upcoming=True).keys()) if mine else []


def _enrolled_at(actor: Actor, institution_ids: frozenset[int]):
    """Learners enrolled at these institutions whose enrolment has not ended (those due to join included)."""
    return Enrolment.objects.filter(not_ended(actor.on), institution_id__in=institution_ids).values("learner_id")


def _members_of(actor: Actor, group_ids):
    return GroupMembership.objects.filter(in_force(on=actor.on), group_id__in=list(group_ids)).values("learner_id")


# Learner rules. Each filter is a semi-join on learner id, so rules combine without duplicates.

is_the_learner = Predicate(
    "is the learner",
    lambda actor, learner: learner.pk == actor.person_id,
    lambda actor: Q(pk=actor.person_id),
)

guardian_of = Predicate(
    "is a guardian of (not barred)",
    lambda actor, learner: learner.pk in actor.cared_for_learner_ids,
    lambda actor: Q(pk__in=sorted(actor.cared_for_learner_ids)) if actor.cared_for_learner_ids else NOTHING,
)


def _whole_institution_check(actor: Actor, learner: Learner) -> bool:
    mine = actor.institutions_where(*WHOLE_INSTITUTION_ROLES)
    return bool(mine) and bool(mine & learner_institutions(actor, learner.pk, upcoming=True).keys())


def _whole_institution_q(actor: Actor) -> Q:
    mine = actor.institutions_where(*WHOLE_INSTITUTION_ROLES)
    return Q(pk__in=_enrolled_at(actor, mine)) if mine else NOTHING


staff_at_learners_institution = Predicate(
    "has a whole-institution role where the learner is enrolled or due to join",
    _whole_institution_check,
    _whole_institution_q,
)


def _teaches_check(actor: Actor, learner: Learner) -> bool:
    return bool(actor.staff_groups) and bool(actor.staff_groups.keys() & learner_group_ids(actor, learner.pk))


teaches_learner = Predicate(
    "teaches or tutors a group the learner is in",
    _teaches_check,
    lambda actor: Q(pk__in=_members_of(actor, actor.staff_groups)) if actor.staff_groups else NOTHING,
)


def _officer_check(actor: Actor, learner: Learner) -> bool:
    mine = actor.authorities_where(Role.LA_OFFICER)
    return bool(mine) and any(la in mine for la in learner_institutions(actor, learner.pk).values())


def _officer_q(actor: Actor) -> Q:
    mine = actor.authorities_where(Role.LA_OFFICER)
    if not mine:
        return NOTHING
    return Q(
        pk__in=Enrolment.objects.filter(in_force(on=actor.on), institution__local_authority_id__in=mine).values(
            "learner_id"
        )
    )


officer_of_learners_authority = Predicate(
    "is an officer of the authority maintaining the learner's institution", _officer_check, _officer_q
)


def _not_barred_q(actor: Actor) -> Q:
    # The filter is a subquery, so a list costs no extra round trip; the check loads the ids once.
    return ~Q(pk__in=_bars(actor).values("learner_id")) if _may_be_barred(actor) else EVERYTHING


not_barred = Predicate(
    "is not barred from the learner",
    lambda actor, learner: learner.pk not in barred_learner_ids(actor),
    _not_barred_q,
)


def _office_check(actor: Actor, learner: Learner) -> bool:
    mine = actor.institutions_where(*OFFICE_ROLES)
    return bool(mine) and bool(mine & learner_institutions(actor, learner.pk, upcoming=True).keys())


def _office_q(actor: Actor) -> Q:
    mine = actor.institutions_where(*OFFICE_ROLES)
    return Q(pk__in=_enrolled_at(actor, mine)) if mine else NOTHING


office_at_learners_institution = Predicate(
    "has an office or leadership role where the learner is enrolled or due to join", _office_check, _office_q
)

# A barred relationship wins over every route: it is and-ed onto each rule, never or-ed.
LEARNER_VIEW = (
    is_the_learner | guardian_of | staff_at_learners_institution | teaches_learner | officer_of_learners_authority
) & not_barred
LEARNER_CHANGE = office_at_learners_institution & not_barred
register(Learner, view=LEARNER_VIEW, change=LEARNER_CHANGE)


def _head_check(actor: Actor, learner: Learner) -> bool:
    heads = actor.institutions_where(Role.HEAD)
    return bool(heads) and bool(heads & learner_institutions(actor, learner.pk, upcoming=True).keys())


def _head_q(actor: Actor) -> Q:
    heads = actor.institutions_where(Role.HEAD)
    return Q(pk__in=_enrolled_at(actor, heads)) if heads else NOTHING


head_of_learners_institution = Predicate(
    "is head where the learner is enrolled or due to join", _head_check, _head_q
)
# Who may read the learner's access log (who looked at the record): the learner, their
# guardians and the head, never someone barred (docs/access-log.md).
register(Learner, view_access_log=(is_the_learner | guardian_of | head_of_learners_institution) & not_barred)


# Rows that hang off a learner reuse the learner rules through their learner_id.


class ThroughLearner(Predicate):
    """A learner rule applied to a row that belongs to a learner."""

    def __init__(self, rule, *, extra: Q | None = None, extra_check=None, name: str | None = None) -> None:
        self.rule = rule
        self.extra = extra
        self.extra_check = extra_check
        super().__init__(name or f"learner: {rule.name}", self._through_check, self._through_q)

    def _through_check(self, actor: Actor, row) -> bool:
        if self.extra_check is not None and not self.extra_check(row):
            return False
        return self.rule.check(actor, row.learner)

    def _through_q(self, actor: Actor) -> Q:
        q = Q(learner_id__in=Learner.objects.filter(self.rule.q(actor)).values("pk"))
        return q & self.extra if self.extra is not None else q


register(Enrolment, view=ThroughLearner(LEARNER_VIEW))

# Contacts: office and leadership see every link, barred ones included (they must know);
# teachers and the learner see links that are not barred; a contact sees their own link unless barred.
# Someone barred from the learner sees none of the learner's links, whatever their role.
own_contact_link = Predicate(
    "is the contact (not barred)",
    lambda actor, link: link.contact_id == actor.person_id and not link.access_barred,
    lambda actor: Q(contact_id=actor.person_id, access_barred=False),
)
register(
    ContactLink,
    view=ThroughLearner(staff_at_learners_institution & not_barred)
    | ThroughLearner(
        (is_the_learner | teaches_learner) & not_barred,
        extra=Q(access_barred=False),
        extra_check=lambda link: not link.access_barred,
        name="learner or teacher: links not barred",
    )
    | own_contact_link,
    invite=ThroughLearner(LEARNER_CHANGE, extra=Q(access_barred=False), extra_check=lambda link: not link.access_barred),
)


# Groups.
staffs_group = Predicate(
    "teaches, tutors or assists the group",
    lambda actor, group: group.pk in actor.staff_groups,
    lambda actor: Q(pk__in=sorted(actor.staff_groups)) if actor.staff_groups else NOTHING,
)
whole_institution_staff_of_group = Predicate(
    "has a whole-institution role at the group's institution",
    lambda actor, group: group.institution_id in actor.institutions_where(*WHOLE_INSTITUTION_ROLES),
    lambda actor: Q(institution_id__in=actor.institutions_where(*WHOLE_INSTITUTION_ROLES))
    if actor.institutions_where(*WHOLE_INSTITUTION_ROLES)
    else NOTHING,
)
member_of_group = Predicate(
    "is a learner in the group",
    lambda actor, group: GroupMembership.objects.filter(
        in_force(on=actor.on), group_id=group.pk, learner_id=actor.person_id
    ).exists(),
    lambda actor: Q(
        pk__in=GroupMembership.objects.filter(in_force(on=actor.on), learner_id=actor.person_id).values("group_id")
    ),
)
officer_of_groups_authority = Predicate(
    "is an officer of the group's authority",
    lambda actor, group: group.institution.local_authority_id in actor.authorities_where(Role.LA_OFFICER),
    lambda actor: Q(institution__local_authority_id__in=actor.authorities_where(Role.LA_OFFICER))
    if actor.authorities_where(Role.LA_OFFICER)
    else NOTHING,
)
register(Group, view=staffs_group | whole_institution_staff_of_group | member_of_group | officer_of_groups_authority)

register(GroupMembership, view=ThroughLearner(LEARNER_VIEW))
