"""Safeguarding and privacy. For now: acceptable-use policies and who has accepted them.

An institution publishes an acceptable-use policy for each audience (staff, learners, parents and carers).
Each publication is a new version: the one before is superseded (``superseded_at`` is set) and stays
readable, and a published version's title and body are never changed. A person accepts the version in
force for themselves, once (``AcceptableUseAcceptance``, unique per policy and person).

Bodies are plain text, escaped on the way out and shown with their line breaks.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned

TITLE_MAX = 200
BODY_MAX = 20_000


class Audience(models.TextChoices):
    STAFF = "staff", _("Staff")
    LEARNERS = "learners", _("Learners")
    PARENTS = "parents", _("Parents and carers")


class AcceptableUsePolicy(InstitutionOwned):
    """One published version of an institution's acceptable-use policy for one audience."""

    audience = models.CharField(max_length=10, choices=Audience.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    superseded_at = models.DateTimeField(null=True, blank=True,
                                         help_text=_("When the next version was published; empty while in force"))

    class Meta:
        ordering = ["institution_id", "audience", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "audience", "version"], name="aup_one_version_number"),
            models.UniqueConstraint(fields=["institution", "audience"], condition=models.Q(superseded_at__isnull=True),
                                    name="aup_one_in_force_per_audience"),
        ]
        indexes = [models.Index(fields=["institution", "audience", "superseded_at"], name="aup_in_force")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version}, {self.get_audience_display()})"

    @property
    def in_force(self) -> bool:
        return self.superseded_at is None


class AcceptableUseAcceptance(InstitutionOwned):
    """A person accepted one version of a policy, for themselves, at ``accepted_at``."""

    policy = models.ForeignKey(AcceptableUsePolicy, on_delete=models.PROTECT, related_name="acceptances")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="acceptable_use_acceptances")
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "policy", "person"], name="aup_accepted_once"),
        ]
        indexes = [models.Index(fields=["institution", "policy"], name="aup_acceptances_by_policy"),
                   models.Index(fields=["person", "policy"], name="aup_acceptances_by_person")]

    def __str__(self) -> str:
        return f"{self.person_id} accepted {self.policy_id} at {self.accepted_at:%Y-%m-%d %H:%M}"
