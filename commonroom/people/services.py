"""Writes for learners and their records."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require
from commonroom.authz.models import OFFICE_ROLES
from commonroom.common.dates import today
from commonroom.organisations.models import Institution
from commonroom.people.identifiers import normalise_upn
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, Learner, Person
from commonroom.people.policies import change_institution_ids

ENROLLING_ROLES = OFFICE_ROLES


def _add_errors(errors: dict[str, list[str]], error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        errors.setdefault(field, []).extend(messages)


def _identifier_clashes(upn: str, uln: str) -> dict[str, list[str]]:
    """UPNs and ULNs are national: a clash with any learner anywhere, each against its field."""
    errors: dict[str, list[str]] = {}
    if upn and Learner.objects.filter(upn=upn).exists():
        errors["upn"] = [_("This UPN already belongs to another learner.")]
    if uln and Learner.objects.filter(uln=uln).exists():
        errors["uln"] = [_("This ULN already belongs to another learner.")]
    return errors


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
    uln = uln.strip()
    errors = _identifier_clashes(upn, uln)
    for group in groups or []:
        if group.institution_id != institution.pk:
            errors.setdefault("groups", []).append(_("A group belongs to another institution."))
    person = Person(given_name=given_name, family_name=family_name, date_of_birth=date_of_birth, sex=sex)
    learner = Learner(person=person, upn=upn or None, uln=uln or None, former_upn=normalise_upn(former_upn))
    try:
        person.full_clean()
    except ValidationError as error:
        _add_errors(errors, error)
    try:
        learner.full_clean(exclude=["person"], validate_unique=False)
    except ValidationError as error:
        _add_errors(errors, error)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            # A savepoint: if another request took the UPN or ULN since the check above, the
            # database's unique constraint stops us, and we can still ask which one it was.
            with transaction.atomic():
                person.save()
                learner.person = person
                learner.save()
        except IntegrityError:
            clashes = _identifier_clashes(upn, uln)
            if not clashes:
                raise
            raise ValidationError(clashes) from None
        Enrolment(institution=institution, learner=learner, start_date=start).save()
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


def contact_add(
    *,
    actor: Actor,
    learner: Learner,
    given_name: str,
    family_name: str,
    email: str = "",
    phone: str = "",
    relationship: str,
    parental_responsibility: bool = True,
    priority: int = 1,
    may_receive_reports: bool = True,
    lives_with_learner: bool = True,
    access_barred: bool = False,
) -> ContactLink:
    """Record a new parent or carer for a learner: the person and their link, in one transaction.

    Only office and leadership staff where the learner is enrolled (or due to join) may; any
    problem is reported against its field and nothing is saved. The contact is a new person,
    so the link cannot duplicate one that exists.
    """
    require(actor, "change", learner)
    institution_ids = change_institution_ids(actor, learner.pk)
    if not institution_ids:
        raise NotFound()
    person = Person(given_name=given_name.strip(), family_name=family_name.strip(), email=email.strip(), phone=phone.strip())
    link = ContactLink(
        learner=learner,
        contact=person,
        relationship=relationship,
        parental_responsibility=parental_responsibility,
        priority=priority,
        may_receive_reports=may_receive_reports,
        lives_with_learner=lives_with_learner,
        access_barred=access_barred,
        start_date=actor.on,
    )
    errors: dict[str, list[str]] = {}
    try:
        person.full_clean()
    except ValidationError as error:
        _add_errors(errors, error)
    exclude = ["contact"]
    if isinstance(priority, int) and priority < 1:
        errors.setdefault("priority", []).append(_("The priority must be 1 or more (1 is contacted first)."))
        exclude.append("priority")
    try:
        # The new person cannot already be linked, and the priority is checked above with its own message.
        link.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        _add_errors(errors, error)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        person.save()
        link.contact = person
        link.save()
        audit.record(
            actor,
            "contact.add",
            link,
            learner_id=learner.pk,
            institution_id=institution_ids[0],
            detail={"contact": person.pk, "relationship": relationship, "access_barred": access_barred},
        )
    return link
