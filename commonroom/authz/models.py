"""Role assignments (who holds which role where, and when) and the audit trail."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import TimeStamped


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    LA_OFFICER = "la_officer", _("Local-authority officer")
    HEAD = "head", _("Head")
    LEADER = "leader", _("Senior leader")
    SENCO = "senco", _("SENCO")
    DSL = "dsl", _("Designated safeguarding lead")
    TEACHER = "teacher", _("Teacher")
    OFFICE = "office", _("Office and attendance staff")
    GOVERNOR = "governor", _("Governor")
    ASSESSOR = "assessor", _("ICT Mark assessor")


INSTITUTION_ROLES = frozenset({Role.HEAD, Role.LEADER, Role.SENCO, Role.DSL, Role.TEACHER, Role.OFFICE})
# Governors hold a role at an institution but are not its staff: they read what the governing body
# oversees (the self-review, its result and plans) and nothing about learners. Never in INSTITUTION_ROLES.
GOVERNANCE_ROLES = frozenset({Role.GOVERNOR})
# The ICT Mark assessor works for an authority: records visits to its institutions, reads nothing else.
AUTHORITY_ROLES = frozenset({Role.LA_OFFICER, Role.ASSESSOR})
PLATFORM_ROLES = frozenset({Role.PLATFORM_ADMIN})
# Roles that see every learner enrolled at their institution.
WHOLE_INSTITUTION_ROLES = frozenset({Role.HEAD, Role.LEADER, Role.SENCO, Role.DSL, Role.OFFICE})
# Roles that run the school office: enrol learners, record contacts, issue parent invitations.
OFFICE_ROLES = (Role.HEAD, Role.LEADER, Role.OFFICE)
# Roles that manage who works at an institution (grant and end roles there).
ROLE_MANAGERS = (Role.HEAD, Role.LEADER)
# Who may grant which institution roles (besides platform administrators).
GRANTABLE_BY = {
    Role.HEAD: frozenset(INSTITUTION_ROLES | GOVERNANCE_ROLES),
    Role.LEADER: frozenset({Role.TEACHER, Role.OFFICE}),
}


class RoleAssignment(TimeStamped):
    """A person holds a role, scoped to an institution, an authority or the whole platform, for dates."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    institution = models.ForeignKey(
        "organisations.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments"
    )
    local_authority = models.ForeignKey(
        "organisations.LocalAuthority", null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["institution", "role"]),
            models.Index(fields=["person", "role"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(r.value for r in INSTITUTION_ROLES), institution__isnull=False, local_authority__isnull=True)
                    | Q(role__in=sorted(r.value for r in GOVERNANCE_ROLES), institution__isnull=False,
                        local_authority__isnull=True)
                    | Q(role__in=sorted(r.value for r in AUTHORITY_ROLES), institution__isnull=True, local_authority__isnull=False)
                    | Q(role__in=sorted(r.value for r in PLATFORM_ROLES), institution__isnull=True, local_authority__isnull=True)
                ),
                name="roleassignment_scope_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="roleassignment_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        where = self.institution or self.local_authority or _("the platform")
        return f"{self.get_role_display()} at {where}"


class AuditEvent(models.Model):
    """Who did what to which record, when, and through which institution or authority.

    Reads of a learner's personal record and every change made by a service are recorded;
    a change's event is written in the same transaction as the change.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200, help_text=_("Name at the time, or the system task"))
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    learner = models.ForeignKey(
        "people.Learner", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    institution = models.ForeignKey(
        "organisations.Institution", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    local_authority = models.ForeignKey(
        "organisations.LocalAuthority", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["learner", "-at"]), models.Index(fields=["institution", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
