"""Reads of shared resources and course-space items, each starting from the ``authz`` filter.

For the learning app's course page: ``attach_items(actor, sections)`` puts each section's items (with
their resources) on ``section.resource_items`` in one query, whatever the number of sections or items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_

from django.core.paginator import Page, Paginator
from django.db.models import Q

from commonroom.authz.actor import Actor
from commonroom.authz.api import can, get_for, visible
from commonroom.learning.models import Section
from commonroom.resources.content import embed_url
from commonroom.resources.models import Rating, Resource, SectionItem

PER_PAGE = 20
MAX_WORDS = 8


@dataclass(frozen=True)
class Search:
    q: str = ""
    subject: str = ""
    key_stage: str = ""
    topic: str = ""
    kind: str = ""
    mine: bool = False
    institution_id: int | None = None  # only this school's resources (to attach to its homework)


def resource_search(actor: Actor, search: Search, page: int | str = 1, per_page: int = PER_PAGE) -> Page:
    """The resources in the actor's bank (their own and those shared with them) that match every word (in
    the title, description, subject or topic) and every tag filter, best rated first, paginated. Two queries."""
    rows = visible(actor, Resource, "copy").select_related("owner", "institution")
    words = search.q.split()[:MAX_WORDS]
    if words:
        rows = rows.filter(reduce(and_, (Q(title__icontains=w) | Q(description__icontains=w) | Q(subject__icontains=w)
                                         | Q(topic__icontains=w) for w in words)))
    if search.subject:
        rows = rows.filter(subject__iexact=search.subject.strip())
    if search.key_stage:
        rows = rows.filter(key_stage=search.key_stage)
    if search.topic:
        rows = rows.filter(topic__icontains=search.topic.strip())
    if search.kind:
        rows = rows.filter(kind=search.kind)
    if search.mine:
        rows = rows.filter(owner_id=actor.person_id)
    if search.institution_id is not None:
        rows = rows.filter(institution_id=search.institution_id)
    rows = rows.order_by("-rating_count", "title", "pk")
    return Paginator(rows, per_page).get_page(page)


@dataclass
class ResourceView:
    resource: Resource
    can_manage: bool
    can_copy: bool
    can_rate: bool
    my_stars: int | None
    source_available: bool


def resource_detail(actor: Actor, pk: int) -> ResourceView:
    resource = get_for(actor, Resource, pk, queryset=Resource.objects.select_related("owner", "institution"))
    manage = can(actor, "manage", resource)
    copy = can(actor, "copy", resource)
    rate = copy and resource.owner_id != actor.person_id
    stars = Rating.objects.filter(resource=resource, person_id=actor.person_id).values_list("stars", flat=True).first() \
        if rate and actor.person_id is not None else None
    source = resource.source_id is not None and visible(actor, Resource, "copy").filter(pk=resource.source_id).exists()
    return ResourceView(resource, manage, copy, rate, stars, source)


def sections_i_manage(actor: Actor, institution_ids: Sequence[int] | None = None) -> list[Section]:
    """Sections of the course spaces the actor manages (for "copy into a section"), by space and position."""
    rows = visible(actor, Section, "manage").select_related("space__group").order_by(
        "space__group__name", "space_id", "position", "pk")
    if institution_ids is not None:
        rows = rows.filter(institution_id__in=list(institution_ids))
    return list(rows[:500])


def attach_items(actor: Actor, sections: Sequence[Section]) -> None:
    """Give each section ``resource_items``: its items the actor may see, in order, with their resources."""
    by_section: dict[int, list[SectionItem]] = {s.pk: [] for s in sections}
    if by_section:
        for item in (visible(actor, SectionItem).filter(section_id__in=sorted(by_section))
                     .select_related("resource__owner", "resource__institution").order_by("section_id", "position", "pk")):
            item.embed = embed_url(item.resource.url) if item.resource.kind == Resource.Kind.MEDIA else None  # type: ignore[attr-defined]
            by_section[item.section_id].append(item)
    for section in sections:
        section.resource_items = by_section[section.pk]  # type: ignore[attr-defined]


def section_items(actor: Actor, section_pk: int) -> tuple[Section, list[SectionItem]]:
    section = get_for(actor, Section, section_pk, queryset=Section.objects.select_related("space__group"))
    items = list(visible(actor, SectionItem).filter(section=section).select_related("resource__owner", "resource__institution")
                 .order_by("position", "pk"))
    return section, items


def my_bank_at(actor: Actor, institution_id: int) -> list[Resource]:
    """The actor's own resources at a school, to place in a section there."""
    return list(visible(actor, Resource, "manage").filter(institution_id=institution_id).order_by("title", "pk")[:500])
