"""Base models shared by every app: timestamps and the institution tenant key."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class InstitutionOwned(TimeStamped):
    """A row an institution owns. ``institution`` is the tenant key.

    Saving verifies that every foreign key to another institution-owned row points
    into the same institution: a child row can never reach into another tenant.
    Bulk writes bypass ``save()``, so services that bulk-create call
    :func:`check_same_institution` themselves.
    """

    institution = models.ForeignKey(
        "organisations.Institution", on_delete=models.PROTECT, related_name="%(app_label)s_%(class)s_set"
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        check_same_institution(self)
        super().save(*args, **kwargs)


def check_same_institution(row: InstitutionOwned) -> None:
    for field in row._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey) or field.name == "institution":
            continue
        target_model = field.related_model
        if not (isinstance(target_model, type) and issubclass(target_model, InstitutionOwned)):
            continue
        target_id = getattr(row, field.attname)
        if target_id is None:
            continue
        cached = row._state.fields_cache.get(field.name)
        if cached is not None:
            target_institution = cached.institution_id
        else:
            target_institution = (
                target_model._default_manager.filter(pk=target_id).values_list("institution_id", flat=True).first()
            )
        if target_institution != row.institution_id:
            raise ValidationError(
                {field.name: "This record belongs to another institution."}, code="cross_institution"
            )
