"""Local authorities, institutions, academic years and terms."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped

three_digits = RegexValidator(r"^\d{3}$", _("Enter exactly 3 digits."))
four_digits = RegexValidator(r"^\d{4}$", _("Enter exactly 4 digits."))
six_digits = RegexValidator(r"^\d{6}$", _("A URN is exactly 6 digits."))


class LocalAuthority(TimeStamped):
    name = models.CharField(max_length=200)
    la_number = models.CharField(_("LA number"), max_length=3, unique=True, validators=[three_digits])

    class Meta:
        verbose_name_plural = "local authorities"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Institution(TimeStamped):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary school")
        SECONDARY = "secondary", _("Secondary school")
        ALL_THROUGH = "all_through", _("All-through school")
        SPECIAL = "special", _("Special school")
        FE_COLLEGE = "fe_college", _("Further education college")
        WORK_BASED = "work_based", _("Work-based learning provider")
        ADULT_COMMUNITY = "adult_community", _("Adult community learning provider")

    class Phase(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")
        ALL_THROUGH = "all_through", _("All-through")
        POST_16 = "post_16", _("16 plus")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    urn = models.CharField(_("URN"), max_length=6, unique=True, null=True, blank=True, validators=[six_digits])
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="institutions"
    )
    la_number = models.CharField(_("LA number"), max_length=3, blank=True, validators=[three_digits])
    estab_number = models.CharField(_("establishment number"), max_length=4, blank=True, validators=[four_digits])
    require_staff_second_factor = models.BooleanField(
        _("staff must use a second factor"),
        default=False,
        help_text=_("Staff must set up an authenticator app before they can use Commonroom."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["la_number", "estab_number"], condition=~Q(estab_number=""), name="institution_unique_laestab"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def laestab(self) -> str:
        return f"{self.la_number}{self.estab_number}" if self.la_number and self.estab_number else ""


class AcademicYear(InstitutionOwned):
    name = models.CharField(max_length=20, help_text=_("For example 2026/27"))
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["institution", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="academicyear_unique_name"),
            models.CheckConstraint(condition=Q(start_date__lt=F("end_date")), name="academicyear_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class Term(InstitutionOwned):
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=50)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["institution", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "academic_year", "name"], name="term_unique_name"),
            models.CheckConstraint(condition=Q(start_date__lte=F("end_date")), name="term_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.academic_year}"
