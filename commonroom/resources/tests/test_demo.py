"""The demo hook: generated resources on the ``tiny`` demo."""

from __future__ import annotations

import pytest
from django.db.models import F

from commonroom.demo import generator
from commonroom.learning.models import AssignmentResource
from commonroom.resources.models import Rating, Resource, SectionItem

pytestmark = pytest.mark.django_db


def test_the_demo_shares_resources_with_the_authority_and_places_them_in_spaces() -> None:
    generator.build("tiny", reset=True)
    assert Resource.objects.filter(audience="authority", kind="page").exists()
    assert Resource.objects.filter(audience="everyone", kind="media").exists()
    assert SectionItem.objects.exists()
    assert not SectionItem.objects.exclude(institution_id=models_f_resource_institution()).exists()
    links = AssignmentResource.objects.all()
    assert links.exists() and not links.exclude(institution_id=models_f_resource_institution()).exists()
    assert not links.exclude(institution_id=F("assignment__institution_id")).exists()
    rated = Resource.objects.filter(rating_count__gt=0)
    assert rated.exists() and all(r.rating_count == Rating.objects.filter(resource=r).count() for r in rated)
    assert all("<script" not in r.body for r in Resource.objects.filter(kind="page"))


def models_f_resource_institution():  # type: ignore[no-untyped-def]
    from django.db.models import F

    return F("resource__institution_id")
