"""People exist once: learners, staff and contacts, their groups and enrolments.

A ``Person`` is one human. A learner's national identifiers sit on ``Learner`` (one per
person who has ever been a learner); which institution they attend follows from dated
``Enrolment`` rows, which groups from dated ``GroupMembership`` rows, and who cares for them
from ``ContactLink`` rows.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped
from commonroom.people.identifiers import normalise_upn, validate_uln, validate_upn


class Person(TimeStamped):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        UNKNOWN = "U", _("Not known")

    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"


class Learner(models.Model):
    """A person as a learner: the identifiers that follow them for life."""

    person = models.OneToOneField(Person, primary_key=True, on_delete=models.PROTECT, related_name="learner")
    upn = models.CharField(_("UPN"), max_length=13, unique=True, null=True, blank=True, validators=[validate_upn])
    former_upn = models.CharField(_("former UPN"), max_length=13, blank=True, validators=[validate_upn])
    uln = models.CharField(_("ULN"), max_length=10, unique=True, null=True, blank=True, validators=[validate_uln])
    # Kept once here and read wherever the learner is shown; families ask for changes through
    # liaison.DetailChange and the office approves them.
    medical_notes = models.TextField(_("medical notes"), blank=True)
    dietary_needs = models.TextField(_("dietary needs"), blank=True)

    class Meta:
        ordering = ["person__family_name", "person__given_name", "person_id"]

    def __str__(self) -> str:
        return str(self.person)

    def clean(self) -> None:
        if self.upn:
            self.upn = normalise_upn(self.upn)
        if self.former_upn:
            self.former_upn = normalise_upn(self.former_upn)
        if self.upn and self.former_upn and self.upn == self.former_upn:
            raise ValidationError({"former_upn": _("The former UPN must differ from the current one.")})


class Enrolment(InstitutionOwned):
    class Kind(models.TextChoices):
        MAIN = "main", _("Main (single registration)")
        DUAL_MAIN = "dual_main", _("Dual registration, main")
        DUAL_SUBSIDIARY = "dual_subsidiary", _("Dual registration, subsidiary")
        GUEST = "guest", _("Guest")

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="enrolments")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MAIN)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["institution", "-start_date"]
        indexes = [models.Index(fields=["institution", "learner"]), models.Index(fields=["learner", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="enrolment_dates_ordered"
            )
        ]


class Group(InstitutionOwned):
    class Kind(models.TextChoices):
        YEAR = "year", _("Year group")
        REGISTRATION = "registration", _("Registration group")
        TEACHING = "teaching", _("Teaching group")

    academic_year = models.ForeignKey("organisations.AcademicYear", on_delete=models.PROTECT, related_name="groups")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=20, help_text=_("Short code, for example 7A or 10Ma1"))
    name = models.CharField(max_length=100)
    nc_year = models.SmallIntegerField(
        _("national curriculum year"), null=True, blank=True, help_text=_("For year and registration groups")
    )
    subject = models.CharField(max_length=100, blank=True, help_text=_("For teaching groups"))
    year_group = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_groups", limit_choices_to={"kind": "year"}
    )

    class Meta:
        ordering = ["institution", "kind", "nc_year", "code"]
        indexes = [models.Index(fields=["institution", "academic_year", "kind"])]
        constraints = [
            models.UniqueConstraint(fields=["institution", "academic_year", "kind", "code"], name="group_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class GroupMembership(InstitutionOwned):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="memberships")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["institution", "group"]), models.Index(fields=["learner", "group"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="membership_dates_ordered"
            )
        ]


class GroupStaff(InstitutionOwned):
    class Role(models.TextChoices):
        TEACHER = "teacher", _("Teacher")
        TUTOR = "tutor", _("Form tutor")
        HEAD_OF_YEAR = "head_of_year", _("Head of year")
        ASSISTANT = "assistant", _("Teaching assistant")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="staff")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="group_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["institution", "group"]), models.Index(fields=["person", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="groupstaff_dates_ordered"
            )
        ]


class ContactLink(TimeStamped):
    """A parent or carer linked to a learner. Not owned by one institution: it follows the people."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        PARENT = "parent", _("Parent")
        STEP_PARENT = "step_parent", _("Step-parent")
        GRANDPARENT = "grandparent", _("Grandparent")
        FOSTER_CARER = "foster_carer", _("Foster carer")
        CARER = "carer", _("Carer")
        OTHER = "other", _("Other relative or contact")

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="learner_links")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    parental_responsibility = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(default=1, help_text=_("1 is contacted first"))
    may_receive_reports = models.BooleanField(default=True)
    lives_with_learner = models.BooleanField(default=True)
    access_barred = models.BooleanField(
        default=False, help_text=_("A court order or similar: this contact may see nothing about the learner.")
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["learner", "priority"]
        indexes = [models.Index(fields=["contact", "learner"])]
        constraints = [
            models.UniqueConstraint(fields=["learner", "contact"], name="contactlink_unique_pair"),
            models.CheckConstraint(condition=Q(priority__gte=1), name="contactlink_priority_positive"),
        ]
