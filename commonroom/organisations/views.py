"""Institution pages and the platform administrator's organisation management."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
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
    }
    return render(request, "organisations/institution_detail.html", context)


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
