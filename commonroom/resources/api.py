"""Shared resources and course-space items over the API, scoped exactly as the pages are (the same
selectors and services): missing and forbidden both answer 404, refused input answers 422 naming the
field. Pages, links and videos are made here as JSON; a file is uploaded as multipart/form-data."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, MAX_ID, NOT_FOUND, READ_ERRORS, WRITE_ERRORS, id_in_path
from commonroom.learning.models import Section
from commonroom.resources import selectors, services
from commonroom.resources.models import Resource, SectionItem

router = Router(tags=["resources"])


class ResourceOut(Schema):
    id: int
    title: str
    description: str
    subject: str
    key_stage: str
    topic: str
    kind: str = Field(description="page, file, link or media")
    audience: str = Field(description="private, institution, authority or everyone")
    owner_id: int
    owner_name: str
    institution_id: int
    institution_name: str
    rating_average: float | None
    rating_count: int
    source_id: int | None = Field(description="The resource this was copied from (it may since have been withdrawn)")
    credit: str
    updated_at: datetime.datetime


class ResourceDetailOut(ResourceOut):
    body: str = Field(description="A page's sanitised HTML")
    url: str
    file_name: str
    file_url: str | None
    my_stars: int | None


class ResourcePageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ResourceOut]


class SearchIn(Schema):
    q: str = Field("", max_length=200, description="Words, each found in the title, description, subject or topic")
    subject: str = Field("", max_length=100)
    key_stage: str = Field("", max_length=4)
    topic: str = Field("", max_length=100)
    kind: str = Field("", max_length=10)
    mine: bool = False
    page: int = Field(1, ge=1, le=100_000)


class ResourceIn(Schema):
    title: str = Field(..., max_length=200)
    kind: str = Field(..., description="page, link or media (a file: POST /resources/files)")
    description: str = Field("", max_length=services.MAX_DESCRIPTION)
    subject: str = Field("", max_length=100)
    key_stage: str = Field("", max_length=4)
    topic: str = Field("", max_length=100)
    body: str = Field("", max_length=services.MAX_TEXT, description="A page's HTML (sanitised on save)")
    url: str = Field("", max_length=2000)
    audience: str = Field("private", max_length=12)
    institution_id: int | None = Field(None, ge=1, le=MAX_ID, description=(
        "On creation, the school whose bank it goes in (one where you teach; your only one if left out). "
        "Ignored on a change: a resource stays at its school."))


class RatingIn(Schema):
    stars: int = Field(..., ge=1, le=5)


class CopyIn(Schema):
    section_id: int | None = Field(None, ge=1, le=MAX_ID, description="Also place the copy in this section you manage")


class SectionItemIn(Schema):
    resource_id: int = Field(..., ge=1, le=MAX_ID)


class SectionItemOut(Schema):
    id: int
    section_id: int
    position: int
    resource: ResourceOut


def _out(r: Resource) -> dict[str, Any]:
    return {field: getattr(r, field) for field in (
        "title", "description", "subject", "key_stage", "topic", "kind", "audience", "owner_id", "institution_id",
        "rating_average", "rating_count", "source_id", "credit", "updated_at")} | {
        "id": r.pk, "owner_name": f"{r.owner.given_name} {r.owner.family_name}", "institution_name": r.institution.name}


def _detail(view: selectors.ResourceView) -> dict[str, Any]:
    r = view.resource
    return _out(r) | {"body": r.body, "url": r.url, "file_name": r.file_name, "my_stars": view.my_stars,
                      "file_url": f"/resources/{r.pk}/file/" if r.kind == Resource.Kind.FILE and r.file else None}


@router.get("/resources", response={200: ResourcePageOut, **READ_ERRORS}, summary="Search resources")
def search(request: HttpRequest, filters: Query[SearchIn]) -> dict[str, Any]:
    """Your resources and those shared with you, matching every word and tag, 20 a page, most rated first."""
    data = filters.dict()
    page = selectors.resource_search(actor_for(request), selectors.Search(**{k: v for k, v in data.items() if k != "page"}),
                                     data["page"])
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "results": [_out(r) for r in page]}


@router.post("/resources", response={201: ResourceDetailOut, **NOT_FOUND, **WRITE_ERRORS}, summary="Make a resource")
def create(request: HttpRequest, payload: ResourceIn) -> tuple[int, dict[str, Any]]:
    """A page, link or video in your bank (at your school). Teaching staff only (404 for anyone else)."""
    actor = actor_for(request)
    if payload.kind == Resource.Kind.FILE:
        raise ValidationError({"kind": [_("Upload a file as multipart/form-data to POST /resources/files.")]})
    resource = services.resource_save(actor=actor, data=services.ResourceInput(**payload.dict(exclude={"institution_id"})),
                                      institution_id=payload.institution_id)
    return 201, _detail(selectors.resource_detail(actor, resource.pk))


@router.post("/resources/files", response={201: ResourceDetailOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Upload a file as a resource")
def create_file(
    request: HttpRequest,
    file: UploadedFile | None = File(None, description="The file (an office document, a PDF or an image)"),  # noqa: B008
    title: str = Form("", max_length=200, description="Required"),
    description: str = Form("", max_length=services.MAX_DESCRIPTION),
    subject: str = Form("", max_length=100),
    key_stage: str = Form("", max_length=4),
    topic: str = Form("", max_length=100),
    audience: str = Form("private", max_length=12, description="private, institution, authority or everyone"),
    institution_id: int | None = Form(None, ge=1, le=MAX_ID, description="The school whose bank it goes in (one "
                                      "where you teach; your only one if left out)"),
) -> tuple[int, dict[str, Any]]:
    """A file in your bank (at your school), as multipart/form-data: checked as on the page (size, name and
    content). Teaching staff only (404 for anyone else); a missing or refused file answers 422 with the reason."""
    actor = actor_for(request)
    data = services.ResourceInput(title=title, kind=Resource.Kind.FILE, description=description, subject=subject,
                                  key_stage=key_stage, topic=topic, audience=audience)
    resource = services.resource_save(actor=actor, data=data, upload=file,  # no file: 422 at "file"
                                      institution_id=institution_id)
    return 201, _detail(selectors.resource_detail(actor, resource.pk))


@router.get("/resources/{resource_id}", response={200: ResourceDetailOut, **DETAIL_ERRORS}, summary="Get a resource")
def detail(request: HttpRequest, resource_id: int = id_in_path()) -> dict[str, Any]:
    return _detail(selectors.resource_detail(actor_for(request), resource_id))


@router.put("/resources/{resource_id}", response={200: ResourceDetailOut, **NOT_FOUND, **WRITE_ERRORS},
            summary="Change a resource")
def update(request: HttpRequest, payload: ResourceIn, resource_id: int = id_in_path()) -> dict[str, Any]:
    """Your own resource; its kind stays (a file keeps its file)."""
    actor = actor_for(request)
    resource = get_for(actor, Resource, resource_id, "manage")
    services.resource_save(actor=actor, data=services.ResourceInput(**payload.dict(exclude={"institution_id"})),
                           resource=resource)
    return _detail(selectors.resource_detail(actor, resource.pk))


@router.post("/resources/{resource_id}/rating", response={200: ResourceDetailOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Rate a resource")
def rate(request: HttpRequest, payload: RatingIn, resource_id: int = id_in_path()) -> dict[str, Any]:
    """1 to 5 stars, one rating per person (rating again replaces it); not your own resource (422)."""
    actor = actor_for(request)
    services.resource_rate(actor=actor, resource=get_for(actor, Resource, resource_id, "rate"), stars=payload.stars)
    return _detail(selectors.resource_detail(actor, resource_id))


@router.post("/resources/{resource_id}/copy", response={201: ResourceDetailOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Copy a resource to adapt it")
def copy(request: HttpRequest, payload: CopyIn, resource_id: int = id_in_path()) -> tuple[int, dict[str, Any]]:
    """A private copy in your bank crediting the original, placed in a section you manage if one is given."""
    actor = actor_for(request)
    resource = get_for(actor, Resource, resource_id, "copy")
    section = get_for(actor, Section, payload.section_id, "manage") if payload.section_id else None
    made = services.resource_copy(actor=actor, resource=resource, section=section)
    return 201, _detail(selectors.resource_detail(actor, made.pk))


def _item(item: SectionItem) -> dict[str, Any]:
    return {"id": item.pk, "section_id": item.section_id, "position": item.position, "resource": _out(item.resource)}


@router.get("/course-sections/{section_id}/items", response={200: list[SectionItemOut], **DETAIL_ERRORS},
            summary="List a section's resources")
def list_items(request: HttpRequest, section_id: int = id_in_path()) -> list[dict[str, Any]]:
    """The resources placed in a course-space section, in order: for whoever sees the course space."""
    _section, items = selectors.section_items(actor_for(request), section_id)
    return [_item(item) for item in items]


@router.post("/course-sections/{section_id}/items", response={201: SectionItemOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Add a resource to a section")
def add_item(request: HttpRequest, payload: SectionItemIn, section_id: int = id_in_path()) -> tuple[int, dict[str, Any]]:
    """A resource from your bank at the section's school, added at the end (copy one from elsewhere first)."""
    actor = actor_for(request)
    section = get_for(actor, Section, section_id, "manage")
    resource = get_for(actor, Resource, payload.resource_id, "copy")
    item = services.item_add(actor=actor, section=section, resource=resource)
    item = SectionItem.objects.select_related("resource__owner", "resource__institution").get(pk=item.pk)
    return 201, _item(item)
