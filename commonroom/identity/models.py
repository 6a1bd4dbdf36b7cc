"""Accounts, parent invitations and personal access tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class User(AbstractUser):
    """A sign-in. The human behind it is ``person``; roles and relationships hang off the person."""

    person = models.OneToOneField(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )

    def get_full_name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        return super().get_full_name()


class Invitation(InstitutionOwned):
    """A single-use, expiring code a school issues for one contact of one learner.

    Only the hash of the code is stored; the code is shown once to the member of staff who
    issues it, to hand to the parent or carer.
    """

    contact_link = models.ForeignKey("people.ContactLink", on_delete=models.CASCADE, related_name="invitations")
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    issued_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["institution", "-created_at"])]

    @staticmethod
    def new_code() -> str:
        # 12 characters from an unambiguous alphabet, shown in groups of four: 60 bits.
        alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ2346789"
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"

    @staticmethod
    def hash_code(code: str) -> str:
        return sha256(code.strip().upper().replace(" ", "").replace("-", ""))

    @property
    def status(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class PersonalAccessToken(TimeStamped):
    """A token for API clients, created and revoked by its user. Only a hash is stored."""

    PREFIX = "cr_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. 'timetable sync'"))
    lookup = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """A new (token, lookup, hash). The token is shown to the user once."""
        lookup = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        token = f"{cls.PREFIX}{lookup}_{secret}"
        return token, lookup, sha256(token)

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
