"""Who may see learners, their groups, enrolments and contacts, in the school's words.

- the learner themself;
- a guardian: a contact of the learner with access not barred;
- staff with a whole-institution role (head, leader, SENCO, DSL, office) where the learner is enrolled;
- a teacher, tutor or assistant of a group the learner is in;
- a local-authority officer of the authority that maintains the learner's institution.
Platform administrators run the service; they do not read children's records.
"""

from __future__ import annotations

from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import WHOLE_INSTITUTION_ROLES, Role
from commonroom.authz.registry import register
from commonroom.authz.rules import NOTHING, Predicate
from commonroom.common.dates import in_force
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, Learner


def learner_institutions(actor: Actor, learner_id: int) -> dict[int, int | None]:
    """Institution id -> its authority id, for the learner's enrolments in force on the actor's day."""
    return dict(
        Enrolment.objects.filter(in_force(on=actor.on), learner_id=learner_id).values_list(
            "institution_id", "institution__local_authority_id"
        )
    )


def learner_group_ids(actor: Actor, learner_id: int) -> set[int]:
    return set(
        GroupMembership.objects.filter(in_force(on=actor.on), learner_id=learner_id).values_list("group_id", flat=True)
    )


def _enrolled_at(actor: Actor, institution_ids: frozenset[int]):
    return Enrolment.objects.filter(in_force(on=actor.on), institution_id__in=institution_ids).values("learner_id")


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
    return bool(mine) and bool(mine & learner_institutions(actor, learner.pk).keys())


def _whole_institution_q(actor: Actor) -> Q:
    mine = actor.institutions_where(*WHOLE_INSTITUTION_ROLES)
    return Q(pk__in=_enrolled_at(actor, mine)) if mine else NOTHING


staff_at_learners_institution = Predicate(
    "has a whole-institution role where the learner is enrolled", _whole_institution_check, _whole_institution_q
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

LEARNER_VIEW = (
    is_the_learner | guardian_of | staff_at_learners_institution | teaches_learner | officer_of_learners_authority
)
LEARNER_CHANGE = Predicate(
    "has an office or leadership role where the learner is enrolled",
    lambda actor, learner: bool(
        actor.institutions_where(Role.HEAD, Role.LEADER, Role.OFFICE) & learner_institutions(actor, learner.pk).keys()
    ),
    lambda actor: Q(pk__in=_enrolled_at(actor, actor.institutions_where(Role.HEAD, Role.LEADER, Role.OFFICE)))
    if actor.institutions_where(Role.HEAD, Role.LEADER, Role.OFFICE)
    else NOTHING,
)
register(Learner, view=LEARNER_VIEW, change=LEARNER_CHANGE)


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
own_contact_link = Predicate(
    "is the contact (not barred)",
    lambda actor, link: link.contact_id == actor.person_id and not link.access_barred,
    lambda actor: Q(contact_id=actor.person_id, access_barred=False),
)
register(
    ContactLink,
    view=ThroughLearner(staff_at_learners_institution)
    | ThroughLearner(
        is_the_learner | teaches_learner,
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
