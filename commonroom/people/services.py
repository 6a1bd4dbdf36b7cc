"""Writes for learners and their records."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound
from commonroom.authz.models import Role
from commonroom.common.dates import today
from commonroom.organisations.models import Institution
from commonroom.people.identifiers import normalise_upn
from commonroom.people.models import Enrolment, Group, GroupMembership, Learner, Person

ENROLLING_ROLES = (Role.HEAD, Role.LEADER, Role.OFFICE)


def learner_enrol(
    *,
    actor: Actor,
    institution: Institution,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date | None,
    sex: str = "",
    upn: str = "",
    uln: str = "",
    former_upn: str = "",
    start_date: datetime.date | None = None,
    groups: list[Group] | None = None,
) -> Learner:
    """Create a new learner and enrol them, with their groups, in one transaction.

    Identifiers are checked (format, check character, national uniqueness) before anything
    is written; any problem is reported against its field and nothing is saved.
    """
    if not (actor.is_system or actor.institutions_where(*ENROLLING_ROLES) & {institution.pk}):
        raise NotFound()
    start = start_date or today()
    upn = normalise_upn(upn) if upn else ""
    errors: dict[str, list[str]] = {}
    if upn and Learner.objects.filter(upn=upn).exists():
        errors.setdefault("upn", []).append(_("This UPN already belongs to another learner."))
    if uln and Learner.objects.filter(uln=uln.strip()).exists():
        errors.setdefault("uln", []).append(_("This ULN already belongs to another learner."))
    for group in groups or []:
        if group.institution_id != institution.pk:
            errors.setdefault("groups", []).append(_("A group belongs to another institution."))
    with transaction.atomic():
        person = Person(given_name=given_name, family_name=family_name, date_of_birth=date_of_birth, sex=sex)
        learner = Learner(person=person, upn=upn or None, uln=uln.strip() or None, former_upn=normalise_upn(former_upn))
        try:
            person.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        try:
            learner.full_clean(exclude=["person"], validate_unique=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        person.save()
        learner.person = person
        learner.save()
        enrolment = Enrolment(institution=institution, learner=learner, start_date=start)
        enrolment.save()
        for group in groups or []:
            GroupMembership(institution=institution, group=group, learner=learner, start_date=start).save()
        audit.record(
            actor,
            "learner.enrol",
            learner,
            learner_id=learner.pk,
            institution_id=institution.pk,
            detail={"groups": [group.pk for group in groups or []]},
        )
    return learner
