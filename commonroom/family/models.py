"""School events (for the whole school or chosen groups) and each parent's private calendar feed."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped


class Event(InstitutionOwned):
    """Something on the school's calendar: a parents' evening, a trip, a sports day.

    The audience is the whole school, or the groups listed (year, registration or teaching groups of the
    same institution). Families see published events for their children's groups; staff see them all.
    An all-day event keeps its dates in ``start_date``/``end_date``; a timed one in ``starts_at``/``ends_at``.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    all_day = models.BooleanField(_("all day"), default=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    whole_school = models.BooleanField(_("for the whole school"), default=True)
    groups = models.ManyToManyField("people.Group", blank=True, related_name="family_events")
    published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["institution", "start_date", "starts_at", "title"]
        indexes = [models.Index(fields=["institution", "start_date"], name="family_event_inst_start")]
        constraints = [
            models.CheckConstraint(condition=Q(start_date__lte=F("end_date")), name="family_event_dates_ordered"),
            models.CheckConstraint(
                condition=Q(all_day=True) | (Q(starts_at__isnull=False) & Q(ends_at__isnull=False) & Q(starts_at__lte=F("ends_at"))),
                name="family_event_times_when_timed",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(TimeStamped):
    """A person's private iCalendar address. Only a hash of the secret is kept: the address is shown once,
    when it is made; a new one replaces the old; revoking ends it."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(revoked_at__isnull=True), name="family_feed_one_live")
        ]

    def __str__(self) -> str:
        return f"calendar feed {self.pk}"


class SchoolContact(InstitutionOwned):
    """How families reach the school: shown on every child page for that school. The office keeps it."""

    address = models.TextField(_("address"), blank=True, max_length=500)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    note = models.CharField(_("note for families"), max_length=300, blank=True,
                            help_text=_("For example: the office is open 8am to 4pm"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution"], name="family_schoolcontact_one")]

    def __str__(self) -> str:
        return f"contact details of {self.institution_id}"
