"""Institution pages and the platform administrator's organisation management."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, can, visible
from commonroom.common.views import apply_service_errors
from commonroom.organisations import selectors, services
from commonroom.organisations.forms import InstitutionForm, InstitutionSettingsForm, LocalAuthorityForm
from commonroom.organisations.models import LocalAuthority
from commonroom.people import selectors as people_selectors


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = selectors.institution_for(actor, pk)
    context = {
        "institution": institution,
        "year_groups": people_selectors.year_group_counts(actor, institution.pk),
        "staff": selectors.staff_by_role(actor, institution.pk),
        "groups": people_selectors.group_list(actor, institution_id=institution.pk),
        "can_change": can(actor, "change", institution),
        "can_enrol": can(actor, "enrol", institution),
        "can_grant": can(actor, "manage_roles", institution),
        "can_view_attendance": can(actor, "view_attendance", institution),
        "can_view_behaviour": can(actor, "view_behaviour", institution),
        "families": _family_links(actor, institution),
    }
    return render(request, "organisations/institution_detail.html", context)


# Pages for working with families, each shown only to those its rule lets in (the rule lives in its own app).
FAMILY_PAGES = (
    ("messaging_inbox", "messaging:inbox", gettext_lazy("Messages from families (the shared inbox)")),
    ("messaging_broadcast", "messaging:broadcast_list", gettext_lazy("Messages to a group's parents")),
    ("view_absence_reports", "liaison:absence_queue", gettext_lazy("Absences reported by parents")),
    ("decide_detail_changes", "liaison:detail_changes", gettext_lazy("Changes of details to approve")),
    ("view_parent_uptake", "liaison:uptake", gettext_lazy("Parents online: accounts and reading")),
    ("view_events", "family:events", gettext_lazy("Events and term dates for families")),
    ("manage_events", "family:school_contact", gettext_lazy("How families contact the school")),
    ("manage_alerts", "notifications:school_settings", gettext_lazy("Alerts by email and text")),
    ("manage_alerts", "notifications:undelivered", gettext_lazy("Alerts not delivered")),
    ("messaging_settings", "messaging:messaging_settings", gettext_lazy("Message settings")),
    ("start_self_review", "selfreview:review_start", gettext_lazy("Start a self-review")),
)


def _family_links(actor, institution) -> list[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    return [(reverse(url, args=[institution.pk]), label) for action, url, label in FAMILY_PAGES
            if can(actor, action, institution)]


@login_required
@require_http_methods(["GET", "POST"])
def institution_settings(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = selectors.institution_for(actor, pk)
    if not can(actor, "change", institution):
        raise NotFound()
    form = InstitutionSettingsForm(
        request.POST if request.method == "POST" else None, initial={"require_staff_second_factor": institution.require_staff_second_factor}
    )
    if request.method == "POST" and form.is_valid():
        services.institution_settings_update(actor=actor, institution=institution, **form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("organisations:institution_detail", institution.pk)
    return render(request, "organisations/institution_settings.html", {"form": form, "institution": institution})


def _require_platform_admin(request: HttpRequest):  # type: ignore[no-untyped-def]
    actor = actor_for(request)
    if not actor.is_platform_admin:
        raise NotFound()
    return actor


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    actor = _require_platform_admin(request)
    context = {
        "authorities": visible(actor, LocalAuthority).order_by("name"),
        "institutions": selectors.institutions_with_counts(actor),
    }
    return render(request, "organisations/manage.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def authority_create(request: HttpRequest) -> HttpResponse:
    actor = _require_platform_admin(request)
    form = LocalAuthorityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            authority = services.local_authority_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": authority.name})
            return redirect("organisations:manage")
    return render(request, "organisations/form_page.html", {"form": form, "title": _("Add a local authority")})


@login_required
@require_http_methods(["GET", "POST"])
def institution_create(request: HttpRequest) -> HttpResponse:
    actor = _require_platform_admin(request)
    form = InstitutionForm(request.POST if request.method == "POST" else None)
    authority_field = form.fields["local_authority"]
    assert isinstance(authority_field, forms.ModelChoiceField)
    authority_field.queryset = visible(actor, LocalAuthority).order_by("name")
    if request.method == "POST" and form.is_valid():
        try:
            institution = services.institution_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": institution.name})
            return redirect("organisations:institution_detail", institution.pk)
    return render(request, "organisations/form_page.html", {"form": form, "title": _("Add an institution")})
