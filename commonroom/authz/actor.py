"""Who is acting: a signed-in person, or the system (a task, a command).

An ``Actor`` loads what the rules need about its person lazily, once per request:
the roles in force today and where, the groups they staff, the learners they care for.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from commonroom.authz.models import AUTHORITY_ROLES, Role
from commonroom.common.dates import in_force, today

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass
class Actor:
    person_id: int | None
    label: str
    user_id: int | None = None
    is_system: bool = False
    on: datetime.date = field(default_factory=today)

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        if user is None or not user.is_authenticated:
            return cls(person_id=None, label="anonymous")
        return cls(person_id=user.person_id, label=user.get_full_name() or user.username, user_id=user.pk)

    @classmethod
    def system(cls, label: str) -> Actor:
        """A task or command acting for the platform. It holds no role: services decide what it may do."""
        return cls(person_id=None, label=f"system: {label}", is_system=True)

    @property
    def is_anonymous(self) -> bool:
        return self.person_id is None and not self.is_system

    # What the rules need, loaded once.

    @cached_property
    def role_rows(self) -> list[tuple[str, int | None, int | None]]:
        """(role, institution_id, local_authority_id) for every role in force."""
        if self.person_id is None:
            return []
        from commonroom.authz.models import RoleAssignment

        return list(
            RoleAssignment.objects.filter(in_force(on=self.on), person_id=self.person_id).values_list(
                "role", "institution_id", "local_authority_id"
            )
        )

    def institutions_where(self, *roles: str) -> frozenset[int]:
        return frozenset(inst for role, inst, _la in self.role_rows if inst is not None and role in roles)

    def authorities_where(self, *roles: str) -> frozenset[int]:
        return frozenset(la for role, _inst, la in self.role_rows if la is not None and role in roles)

    def holds(self, role: str, institution_id: int | None = None, local_authority_id: int | None = None) -> bool:
        for held, inst, la in self.role_rows:
            if held != role:
                continue
            if role in AUTHORITY_ROLES and la == local_authority_id:
                return True
            if inst is not None and inst == institution_id:
                return True
            if inst is None and la is None and institution_id is None and local_authority_id is None:
                return True
        return False

    @property
    def is_platform_admin(self) -> bool:
        return any(role == Role.PLATFORM_ADMIN for role, _i, _l in self.role_rows)

    @cached_property
    def staff_groups(self) -> dict[int, frozenset[str]]:
        """Group id -> the roles this person has in the group (teacher, tutor, ...), in force today."""
        if self.person_id is None:
            return {}
        from commonroom.people.models import GroupStaff

        groups: dict[int, set[str]] = {}
        for group_id, role in GroupStaff.objects.filter(in_force(on=self.on), person_id=self.person_id).values_list(
            "group_id", "role"
        ):
            groups.setdefault(group_id, set()).add(role)
        return {group_id: frozenset(roles) for group_id, roles in groups.items()}

    @cached_property
    def cared_for_learner_ids(self) -> frozenset[int]:
        """Learners this person is a contact of, with access not barred, in force today."""
        if self.person_id is None:
            return frozenset()
        from commonroom.people.models import ContactLink

        return frozenset(
            ContactLink.objects.filter(in_force(on=self.on), contact_id=self.person_id, access_barred=False).values_list(
                "learner_id", flat=True
            )
        )

    @cached_property
    def is_learner(self) -> bool:
        if self.person_id is None:
            return False
        from commonroom.people.models import Learner

        return Learner.objects.filter(pk=self.person_id).exists()


def actor_for(request: HttpRequest) -> Actor:
    """The actor behind a request, built once and kept on the request."""
    actor = getattr(request, "_commonroom_actor", None)
    if actor is None or actor.user_id != getattr(request.user, "pk", None):
        actor = Actor.for_user(request.user)
        request._commonroom_actor = actor  # type: ignore[attr-defined]
    return actor
