"""Writes for authorities and institutions."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from commonroom.authz import audit, require
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound
from commonroom.organisations.models import Institution, LocalAuthority


def local_authority_create(*, actor: Actor, name: str, la_number: str) -> LocalAuthority:
    if not actor.is_platform_admin:
        raise NotFound()
    with transaction.atomic():
        authority = LocalAuthority(name=name, la_number=la_number)
        authority.full_clean()
        authority.save()
        audit.record(actor, "local_authority.create", authority, local_authority_id=authority.pk)
    return authority


def institution_create(*, actor: Actor, **fields: Any) -> Institution:
    if not actor.is_platform_admin:
        raise NotFound()
    with transaction.atomic():
        institution = Institution(**fields)
        if institution.local_authority is not None and not institution.la_number:
            institution.la_number = institution.local_authority.la_number
        institution.full_clean()
        institution.save()
        audit.record(actor, "institution.create", institution, institution_id=institution.pk)
    return institution


def institution_settings_update(*, actor: Actor, institution: Institution, require_staff_second_factor: bool) -> Institution:
    require(actor, "change", institution)
    with transaction.atomic():
        before = institution.require_staff_second_factor
        institution.require_staff_second_factor = require_staff_second_factor
        institution.save(update_fields=["require_staff_second_factor", "updated_at"])
        audit.record(
            actor,
            "institution.settings",
            institution,
            institution_id=institution.pk,
            detail={"require_staff_second_factor": [before, require_staff_second_factor]},
        )
    return institution
