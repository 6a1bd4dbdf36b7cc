"""A course space's sections (its topics or weeks) over the API: add, change and remove them, with the
same service and rules as the pages. Only those who manage the space (its teachers, and leaders) may;
anyone else gets 404, and refused input gets 422 naming the field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.api_schemas import DETAIL_ERRORS, NOT_FOUND, WRITE_ERRORS, id_in_path
from commonroom.learning import services
from commonroom.learning.api import SectionOut, section_out
from commonroom.learning.models import CourseSpace, Section

router = Router(tags=["learning"])


class SectionLinkIn(Schema):
    title: str = Field("", max_length=200, description="Shown instead of the address when given")
    url: str = Field(..., max_length=2000, description="An http or https address")


class SectionIn(Schema):
    title: str = Field(..., max_length=200, description="For example “Week 1” or “Fractions”")
    body: str = Field("", max_length=services.MAX_TEXT)
    links: list[SectionLinkIn] = Field(default_factory=list, max_length=50)


def _links(payload: SectionIn) -> str:
    """The links as the page's text box holds them ("title | address", one a line), so that one parser
    checks both: link N of the list is "Line N" in an error. A line break inside a title or address
    cannot split a link in two."""
    lines = []
    for link in payload.links:
        title, url = " ".join(link.title.split()), " ".join(link.url.split())
        lines.append(f"{title} | {url}" if title else (url or "(empty)"))
    return "\n".join(lines)


@router.post("/courses/{space_id}/sections", response={201: SectionOut, **NOT_FOUND, **WRITE_ERRORS},
             summary="Add a section (a topic or week) to a course space")
def add_section(request: HttpRequest, payload: SectionIn, space_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    space = get_for(actor, CourseSpace, space_id, "manage")
    return Status(201, section_out(services.section_save(actor=actor, space=space, title=payload.title,
                                                      body=payload.body, links=_links(payload))))


@router.put("/course-sections/{section_id}", response={200: SectionOut, **NOT_FOUND, **WRITE_ERRORS},
            summary="Change a section of a course space")
def change_section(request: HttpRequest, payload: SectionIn, section_id: int = id_in_path()) -> dict[str, Any]:
    actor = actor_for(request)
    section = get_for(actor, Section, section_id, "manage", queryset=Section.objects.select_related("space"))
    return section_out(services.section_save(actor=actor, space=section.space, section=section, title=payload.title,
                                          body=payload.body, links=_links(payload)))


@router.delete("/course-sections/{section_id}", response={204: None, **DETAIL_ERRORS, **WRITE_ERRORS},
               summary="Remove a section from a course space")
def remove_section(request: HttpRequest, section_id: int = id_in_path()) -> Any:
    actor = actor_for(request)
    services.section_delete(actor=actor, section=get_for(actor, Section, section_id, "manage"))
    return Status(204, None)
