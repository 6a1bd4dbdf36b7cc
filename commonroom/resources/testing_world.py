"""Shared resources in the persona world.

- a1.teacher owns "Fractions pack" (a page shared with the local authority, la1), "Times tables" (a link
  shared with a1), "Worksheet" (a PDF file shared with a1) and "My notes" (a private page placed in
  Week 1 of a1's maths space, so the group sees it there).
- a1.teacher owns "Homework sheet" (a private PDF) attached to the set homework "Fractions" (a1 maths), so
  the group, their parents and carers and the group's staff open it there; a1.teacher2 owns "Sketching
  guide" (a private page) attached to the draft "Portrait" (a1 art), seen only by those who manage it.
- b1.teacher owns "Forces video" (a YouTube video shared with everyone), placed in Week 1 of b1's maths space.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from commonroom.learning.models import Assignment, AssignmentResource, Section
from commonroom.resources.models import Resource, SectionItem

TITLES = {"pack": "Fractions pack", "tables": "Times tables", "worksheet": "Worksheet", "notes": "My notes",
          "video": "Forces video", "sheet": "Homework sheet", "sketch": "Sketching guide"}


def extend(world) -> None:  # type: ignore[no-untyped-def]
    a1, b1 = world.institutions["a1"], world.institutions["b1"]
    teacher_a, teacher_b = world.people["a1.teacher"], world.people["b1.teacher"]

    def make(inst, owner, key: str, kind: str, audience: str, **extra: object) -> Resource:  # type: ignore[no-untyped-def]
        return Resource.objects.create(institution=inst, owner=owner, title=TITLES[key], kind=kind, audience=audience,
                                       subject="Mathematics" if key != "video" else "Science", key_stage="KS3",
                                       topic="Fractions" if key in ("pack", "notes") else "", **extra)

    make(a1, teacher_a, "pack", "page", "authority", body="<p>Halves and quarters.</p>", description="Ten starters")
    make(a1, teacher_a, "tables", "link", "institution", url="https://www.bbc.co.uk/bitesize")
    sheet = make(a1, teacher_a, "worksheet", "file", "institution", file_name="worksheet.pdf", file_type="application/pdf")
    sheet.file.save("x", ContentFile(b"%PDF-1.4\n%world\n"), save=False)
    sheet.file_size = sheet.file.size
    sheet.save()
    notes = make(a1, teacher_a, "notes", "page", "private", body="<p>Remember the starter.</p>")
    video = make(b1, teacher_b, "video", "media", "everyone", url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    for inst, resource in ((a1, notes), (b1, video)):
        section = Section.objects.get(space__group=world.groups[f"{_key(world, inst)}.maths"])
        SectionItem.objects.create(institution=inst, section=section, resource=resource, position=0)
    homework_sheet = make(a1, teacher_a, "sheet", "file", "private", file_name="homework.pdf", file_type="application/pdf")
    homework_sheet.file.save("x", ContentFile(b"%PDF-1.4\n%homework\n"), save=False)
    homework_sheet.file_size = homework_sheet.file.size
    homework_sheet.save()
    guide = make(a1, world.people["a1.teacher2"], "sketch", "page", "private", body="<p>Light and shade.</p>")
    for resource, group, title in ((homework_sheet, "a1.maths", "Fractions"), (guide, "a1.art", "Portrait")):
        AssignmentResource.objects.create(institution=a1, resource=resource, position=0,
                                          assignment=Assignment.objects.get(group=world.groups[group], title=title))


def _key(world, inst) -> str:  # type: ignore[no-untyped-def]
    return next(key for key, value in world.institutions.items() if value.pk == inst.pk)


def resource_named(world, target: str) -> Resource:  # type: ignore[no-untyped-def]
    """``a1.pack`` -> the world's "Fractions pack"."""
    inst, _dot, key = target.partition(".")
    return Resource.objects.get(institution=world.institutions[inst], title=TITLES[key])
