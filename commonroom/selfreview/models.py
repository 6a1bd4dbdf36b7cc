"""Frameworks as data (loaded from versioned files) and the reviews institutions make against them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped

LEVELS = (1, 2, 3, 4, 5)  # 1 is the highest, 5 "not yet started"


class Framework(TimeStamped):
    """One version of a framework. A new version is a new row; reviews keep pointing at theirs."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn: no new reviews")

    slug = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=60, blank=True, help_text=_("schools, further education, ..."))
    scale = models.JSONField(help_text=_('Names of the five levels: {"1": "Exemplary", ..., "5": "Not yet started"}'))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    source_file = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64, help_text=_("Of the content, status excluded"))

    class Meta:
        ordering = ("slug", "-version")
        constraints = [models.UniqueConstraint(fields=("slug", "version"), name="selfreview_framework_slug_version")]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


class Element(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="elements")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ("framework", "number")
        constraints = [models.UniqueConstraint(fields=("framework", "number"), name="selfreview_element_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Strand(models.Model):
    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="strands")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("element", "position")
        constraints = [models.UniqueConstraint(fields=("element", "code"), name="selfreview_strand_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Aspect(models.Model):
    strand = models.ForeignKey(Strand, on_delete=models.CASCADE, related_name="aspects")
    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="aspects")  # denormalised for sums
    code = models.CharField(max_length=12)
    title = models.CharField(max_length=300)
    threshold = models.PositiveSmallIntegerField(help_text=_("The level to reach: this or a better (lower) one"))
    descriptors = models.JSONField(help_text=_('{"1": "...", ..., "5": "..."}'))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("element__number", "strand__position", "position")
        constraints = [models.UniqueConstraint(fields=("element", "code"), name="selfreview_aspect_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def descriptor_list(self) -> list[tuple[int, str]]:
        return [(level, self.descriptors[str(level)]) for level in LEVELS]


class Review(InstitutionOwned):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="reviews")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        ordering = ("-started_on", "-pk")
        indexes = [models.Index(fields=("institution", "status", "completed_on"), name="selfreview_review_inst")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class ElementAssignment(InstitutionOwned):
    """A colleague answers one element of a review. One colleague per element."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="assignments")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("institution", "review", "element"),
                                               name="selfreview_assignment_element")]
        indexes = [models.Index(fields=("institution", "person"), name="selfreview_assign_person")]


class AspectAnswer(InstitutionOwned):
    """The answer to one aspect of a review. ``version`` goes up with every save: a save made from an
    older version is refused, so two people working at once never overwrite each other silently."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    aspect = models.ForeignKey(Aspect, on_delete=models.PROTECT, related_name="+")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")  # the aspect's, for the rules
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True,
                                help_text=_('[{"kind": "link", "url": "https://..."} or {"kind": "note", "text": "..."}]'))
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("institution", "review", "aspect"), name="selfreview_answer_aspect")]
        indexes = [models.Index(fields=("institution", "review", "element"), name="selfreview_answer_element")]


from commonroom.selfreview.models_plans import Action, AuthorityTarget  # noqa: E402,F401  (action plans, targets)
