"""Authorisation specs for shared resources and course-space items (see ``commonroom/testing/matrix.py``).

Resource targets are ``<school>.<key>`` as in ``commonroom/resources/testing_world.py`` (``a1.pack``,
``a1.notes``, ...; ``a1.sheet`` and ``a1.sketch`` are attached to homework); section targets name a group (its space's "Week 1"); item targets name the group
whose Week 1 holds the item (``a1.maths``: "My notes"; ``b1.maths``: "Forces video")."""

from __future__ import annotations

from commonroom.testing import oracle_learning as ol
from commonroom.testing import oracle_resources as orr
from commonroom.testing.matrix import SIGNED_IN, Spec
from commonroom.testing.world import World

RESOURCES = sorted(orr.RESOURCES)
SPACES = ["a1.maths", "a1.art", "a1.formA", "b1.maths"]
ITEMS = ["a1.maths", "b1.maths"]
MISSING_ID = 2**31 - 1


def _resource(world: World, target: str) -> int:
    from commonroom.resources.testing_world import resource_named

    return resource_named(world, target).pk


def _section(world: World, target: str) -> int:
    from commonroom.learning.models import Section

    return Section.objects.get(space__group=world.groups[target]).pk


def _space(world: World, target: str) -> int:
    from commonroom.learning.models import CourseSpace

    return CourseSpace.objects.get(group=world.groups[target]).pk


def _item(world: World, target: str) -> int:
    from commonroom.resources.models import SectionItem

    return SectionItem.objects.get(section__space__group=world.groups[target]).pk


KINDS = {"a1.pack": "page", "a1.notes": "page", "a1.tables": "link", "a1.worksheet": "file", "b1.video": "media",
         "a1.sheet": "file", "a1.sketch": "page"}
CONTENT = {"page": {"body": "<p>Changed</p>"}, "link": {"url": "https://example.org/"}, "file": {},
           "media": {"url": "https://vimeo.com/76979871"}}


def _resource_body(world: World, target: str) -> dict:
    kind = KINDS.get(target, "page")
    return {"title": "From the matrix", "kind": kind, "audience": "institution", **CONTENT[kind]}


def _item_body(world: World, target: str) -> dict:
    # A resource in the bank of every manager of the target's space: shared with the school (a1) or everyone (b1).
    key = "a1.tables" if target.startswith("a1.") else "b1.video"
    return {"resource_id": _resource(world, key)}


PAGE_SPECS = {
    "resources:search": Spec(lambda w, t: "/resources/", SIGNED_IN),
    "resources:new": Spec(lambda w, t: "/resources/new/", lambda p, t: orr.has_bank(p)),
    "resources:detail": Spec(lambda w, t: f"/resources/{_resource(w, t)}/", orr.may_view, RESOURCES),
    "resources:edit": Spec(lambda w, t: f"/resources/{_resource(w, t)}/edit/", orr.may_manage, RESOURCES),
    "resources:withdraw": Spec(lambda w, t: f"/resources/{_resource(w, t)}/withdraw/", orr.may_manage,
                               ["a1.pack", "b1.video"], method="post", ok=(302,)),
    "resources:file": Spec(lambda w, t: f"/resources/{_resource(w, t)}/file/", orr.may_view,
                           ["a1.worksheet", "a1.sheet"]),
    "resources:rate": Spec(lambda w, t: f"/resources/{_resource(w, t)}/rate/", orr.may_rate, RESOURCES,
                           method="post", ok=(302,)),
    "resources:copy": Spec(lambda w, t: f"/resources/{_resource(w, t)}/copy/", orr.may_find, RESOURCES,
                           method="post", ok=(302,)),
    "resources:item_add": Spec(lambda w, t: f"/course-sections/{_section(w, t)}/items/new/", ol.may_manage_space, SPACES),
    "resources:item_remove": Spec(lambda w, t: f"/course-items/{_item(w, t)}/remove/", ol.may_manage_space, ITEMS,
                                  method="post", ok=(302,)),
    "resources:reuse": Spec(lambda w, t: f"/courses/{_space(w, t)}/reuse/", ol.may_manage_space, SPACES),
}

API_SPECS = {
    ("get", "/api/v1/resources"): Spec(lambda w, t: "", SIGNED_IN),
    ("post", "/api/v1/resources"): Spec(lambda w, t: "", lambda p, t: orr.has_bank(p), ok=(201,), body=_resource_body),
    # JSON carries no file: teaching staff are told to attach one (422); everyone else gets 404.
    ("post", "/api/v1/resources/files"): Spec(lambda w, t: "", lambda p, t: orr.has_bank(p), ok=(422,),
                                              body=lambda w, t: {}),
    ("get", "/api/v1/resources/{resource_id}"): Spec(lambda w, t: "", orr.may_view, RESOURCES),
    ("put", "/api/v1/resources/{resource_id}"): Spec(lambda w, t: "", orr.may_manage, RESOURCES, body=_resource_body),
    ("post", "/api/v1/resources/{resource_id}/rating"): Spec(lambda w, t: "", orr.may_rate, RESOURCES,
                                                             body=lambda w, t: {"stars": 4}),
    ("post", "/api/v1/resources/{resource_id}/copy"): Spec(lambda w, t: "", orr.may_find, RESOURCES, ok=(201,),
                                                           body=lambda w, t: {}),
    ("get", "/api/v1/course-sections/{section_id}/items"): Spec(lambda w, t: "", ol.may_view_space, SPACES),
    ("post", "/api/v1/course-sections/{section_id}/items"): Spec(lambda w, t: "", ol.may_manage_space, SPACES,
                                                                ok=(201,), body=_item_body),
}

PLACEHOLDERS = {"{resource_id}": _resource, "{section_id}": _section}

# For commonroom/config/tests/test_openapi_contract.py: every operation answers as its schema declares.
CONTRACT_BODIES = {
    ("post", "/api/v1/resources"): {"title": "Contract", "kind": "link", "url": "https://example.org/"},
    ("put", "/api/v1/resources/{resource_id}"): {"title": "Contract", "kind": "page", "body": "<p>x</p>"},
    ("post", "/api/v1/resources/{resource_id}/rating"): {"stars": 3},
    ("post", "/api/v1/resources/{resource_id}/copy"): {},
    ("post", "/api/v1/resources/files"): {},
    ("post", "/api/v1/course-sections/{section_id}/items"): {"resource_id": 1},
}


def contract_path_values(world: World) -> dict[str, list[int]]:
    return {"resource_id": [_resource(world, "a1.pack"), MISSING_ID],
            "section_id": [_section(world, "a1.maths"), MISSING_ID]}
