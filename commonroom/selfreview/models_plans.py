"""Action plans (an institution's actions from aspects below where it wants to be) and the targets a local
authority sets across its institutions. Imported by ``models.py``."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped


class Action(InstitutionOwned):
    """One action of an institution's plan, raised from an aspect of a review. ``level_when_added`` is the
    aspect's level in that review when the action was added: a later completed review shows whether it moved."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    review = models.ForeignKey("selfreview.Review", on_delete=models.PROTECT, related_name="actions")
    aspect = models.ForeignKey("selfreview.Aspect", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    level_when_added = models.PositiveSmallIntegerField(null=True, blank=True)
    target_level = models.PositiveSmallIntegerField()
    owner = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, help_text=_("In pounds"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(blank=True)
    added_on = models.DateField()
    added_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("due_on", "pk")
        indexes = [models.Index(fields=("institution", "due_on"), name="selfreview_action_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)

    def is_overdue(self, on: datetime.date) -> bool:
        return self.is_open and self.due_on < on


class AuthorityTarget(TimeStamped):
    """A target an authority sets: ``share`` per cent of its institutions (of a phase, or all) at the threshold
    in one element of a framework (or in every element) by ``due_on``. For example 80% at the threshold in
    element 3 of the schools framework, or every secondary (100%) at the threshold in the whole online-reporting
    review."""

    local_authority = models.ForeignKey("organisations.LocalAuthority", on_delete=models.CASCADE,
                                        related_name="self_review_targets")
    title = models.CharField(max_length=200)
    framework_slug = models.SlugField(max_length=60)
    element_number = models.PositiveSmallIntegerField(null=True, blank=True,
                                                      help_text=_("Empty: every element of the framework"))
    phase = models.CharField(max_length=20, blank=True, help_text=_("Empty: every phase"))
    share = models.PositiveSmallIntegerField(help_text=_("Per cent of the institutions"))
    due_on = models.DateField()
    created_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("due_on", "pk")

    def __str__(self) -> str:
        return self.title
