"""Shared teaching resources and the items of course-space sections.

A resource belongs to the teacher who made it (``owner``) and to their school (``institution``, the
tenant key). It has one kind of content: a page (sanitised HTML), a file (stored under a random name),
a link (http or https) or embedded media (a video address from an allowed host). Its ``audience`` says
who else may find it: nobody (private), the school, the local authority, or every teacher on the
instance.

A copy is a new resource in the copier's bank. It remembers where it came from (``source_id``, kept as
a plain number, not a foreign key, so the original may be changed or withdrawn and may belong to
another school) and the credit written at the moment of copying ("Adapted from 'X' by Y, School Z"),
which never changes afterwards.

A section item places a resource of the section's school in a section of a course space, in order.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped


class KeyStage(models.TextChoices):
    EYFS = "EYFS", _("Early years")
    KS1 = "KS1", _("Key stage 1")
    KS2 = "KS2", _("Key stage 2")
    KS3 = "KS3", _("Key stage 3")
    KS4 = "KS4", _("Key stage 4")
    KS5 = "KS5", _("Key stage 5 (16 to 19)")


def resource_path(instance: Resource, filename: str) -> str:
    # Never the uploaded name: the file is served under its own name, as an attachment.
    return f"resources/{instance.institution_id}/{uuid.uuid4().hex}"


class Resource(InstitutionOwned):
    class Kind(models.TextChoices):
        PAGE = "page", _("Page")
        FILE = "file", _("File")
        LINK = "link", _("Link")
        MEDIA = "media", _("Video")

    class Audience(models.TextChoices):
        PRIVATE = "private", _("Only me")
        INSTITUTION = "institution", _("My school")
        AUTHORITY = "authority", _("My local authority")
        EVERYONE = "everyone", _("Every teacher on Commonroom")

    owner = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="resources")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    subject = models.CharField(max_length=100, blank=True)
    key_stage = models.CharField(max_length=4, choices=KeyStage.choices, blank=True)
    topic = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    body = models.TextField(blank=True, help_text=_("A page's HTML, sanitised on save"))
    url = models.URLField(max_length=2000, blank=True, help_text=_("A link's or a video's address"))
    file = models.FileField(upload_to=resource_path, blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.PRIVATE)
    source_id = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("The resource this was copied from"))
    credit = models.CharField(max_length=500, blank=True, help_text=_("Frozen at copying: 'Adapted from ...'"))
    rating_count = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [
            models.Index(fields=["institution", "owner"], name="resource_inst_owner"),
            models.Index(fields=["audience", "institution"], name="resource_audience_inst"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating_total__lte=models.F("rating_count") * 5),
                                   name="resource_rating_in_range"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def rating_average(self) -> float | None:
        return round(self.rating_total / self.rating_count, 1) if self.rating_count else None


class Rating(TimeStamped):
    """One teacher's stars (1 to 5) for a resource; rating again replaces them."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="ratings")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "person"], name="rating_once_per_person"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_one_to_five"),
        ]


class SectionItem(InstitutionOwned):
    """A resource placed in a section of a course space (both of the same school), in order."""

    section = models.ForeignKey("learning.Section", on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="placements")
    position = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["section", "position", "pk"]
        indexes = [models.Index(fields=["institution", "section", "position"], name="sectionitem_inst_section")]

    def __str__(self) -> str:
        return f"{self.section_id}: {self.resource_id}"
