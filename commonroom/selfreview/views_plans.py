"""Pages for benchmarks, action plans and the local-authority view, with their CSV exports."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, can, get_for
from commonroom.common.views import apply_service_errors
from commonroom.organisations.models import LocalAuthority
from commonroom.records.assessment_selectors import spreadsheet_safe as _safe
from commonroom.selfreview import selectors, selectors_plans, services_plans
from commonroom.selfreview.forms_plans import ActionForm, TargetForm
from commonroom.selfreview.services import colleagues_of


def _csv(name: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "export"}.csv"'
    return response, csv.writer(response)


# --- Benchmarks ----------------------------------------------------------------------------------


@login_required
def benchmarks(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors_plans.benchmarks(actor_for(request), pk, request.GET.get("framework"))
    return render(request, "selfreview/benchmarks.html", {"data": data})


@login_required
def benchmarks_csv(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors_plans.benchmarks(actor_for(request), pk, request.GET.get("framework"))
    response, writer = _csv(f"{data.institution.name} benchmarks {data.slug}")
    writer.writerow(["element", "element_name", "own_mean_level", "own_at_threshold", "group", "group_size", "shown",
                     "lower_quartile", "median", "upper_quartile", "position"])
    for row in data.rows:
        for label, group in (("instance", row.instance), ("authority", row.authority)):
            if group is None:
                continue
            writer.writerow([row.number, _safe(row.name), "" if row.own is None else row.own,
                             "" if row.own_at_threshold is None else ("yes" if row.own_at_threshold else "no"),
                             label, group.size, "yes" if group.shown else "no",
                             group.lower_quartile if group.shown else "", group.median if group.shown else "",
                             group.upper_quartile if group.shown else "", group.position])
    return response


# --- Action plans --------------------------------------------------------------------------------


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "selfreview/plan.html", {"data": selectors_plans.action_plan(actor_for(request), pk)})


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, pk: int, aspect_pk: int) -> HttpResponse:
    actor = actor_for(request)
    review, answer, _editable = selectors.answer_for(actor, pk, aspect_pk)
    if not can(actor, "plan_actions", review.institution):
        raise NotFound()
    form = ActionForm(request.POST or None, colleagues=colleagues_of(review.institution_id),
                      scale=review.framework.scale, below=answer.level)
    if request.method == "POST" and form.is_valid():
        try:
            services_plans.action_add(actor=actor, review=review, answer=answer, values=form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Action added to the plan."))
            return redirect("selfreview:plan", pk=review.institution_id)
    return render(request, "selfreview/action_form.html", {"form": form, "review": review, "answer": answer,
                                                           "institution": review.institution})


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    action = selectors_plans.action_for(actor, pk, "change")
    initial = {"title": action.title, "target_level": action.target_level, "owner": action.owner_id,
               "due_on": action.due_on, "cost": action.cost, "status": action.status, "notes": action.notes}
    form = ActionForm(request.POST or None, initial=initial, colleagues=colleagues_of(action.institution_id),
                      scale=action.review.framework.scale, below=action.level_when_added)
    if request.method == "POST" and form.is_valid():
        try:
            services_plans.action_update(actor=actor, action=action, values=form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Action saved."))
            return redirect("selfreview:plan", pk=action.institution_id)
    return render(request, "selfreview/action_form.html", {"form": form, "action": action, "review": action.review,
                                                           "institution": action.institution})


# --- The local-authority view --------------------------------------------------------------------


@login_required
def authority(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors_plans.authority_view(actor_for(request), pk, request.GET.get("framework"))
    return render(request, "selfreview/authority.html", {
        "data": data, "bars": selectors_plans.distribution_bars(data.distribution),
        "year_bars": selectors_plans.year_bars(data.years), "levels": [1, 2, 3, 4, 5],
        "chart_height": 20 + 28 * len(data.distribution), "years_width": 100 + 56 * len(data.years)})


@login_required
def authority_csv(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors_plans.authority_view(actor_for(request), pk, request.GET.get("framework"))
    response, writer = _csv(f"{data.authority.name} self-review {data.slug}")
    numbers = data.numbers
    writer.writerow(["institution", "phase", "charter_stage", "latest_review", "framework_version",
                     "elements_at_threshold", "no_review_for_a_year",
                     *[f"element_{n}_mean_level" for n in numbers], *[f"element_{n}_at_threshold" for n in numbers]])
    for row in data.institutions:
        latest = row.latest
        means = [(latest.elements[n].mean if latest and n in latest.elements else "") for n in numbers]
        met = [("yes" if latest.elements[n].at_threshold else "no") if latest and n in latest.elements else ""
               for n in numbers]
        writer.writerow([_safe(row.institution.name), row.institution.phase, _safe(row.stage),
                         latest.completed_on if latest else "", latest.version if latest else "",
                         row.elements_at_threshold(numbers) if latest else "", "yes" if row.overdue else "no",
                         *means, *met])
    return response


@login_required
def targets_csv(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors_plans.authority_view(actor_for(request), pk, request.GET.get("framework"))
    response, writer = _csv(f"{data.authority.name} self-review targets")
    writer.writerow(["target", "framework", "element", "phase", "share_wanted", "due_on", "eligible", "at_threshold",
                     "share_now", "status"])
    for row in data.targets:
        t = row.target
        writer.writerow([_safe(t.title), t.framework_slug, t.element_number or "every", t.phase or "every", t.share,
                         t.due_on, row.eligible, row.at_threshold, row.share, row.status])
    return response


def _target_form(request: HttpRequest, initial: dict[str, Any] | None = None) -> TargetForm:
    frameworks = selectors_plans.framework_slugs()
    from commonroom.selfreview.models import Element

    numbers = sorted(set(Element.objects.values_list("number", flat=True)))
    return TargetForm(request.POST or None, initial=initial, frameworks=frameworks, numbers=numbers)


@login_required
@require_http_methods(["GET", "POST"])
def target_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    authority_obj = get_for(actor, LocalAuthority, pk, "set_self_review_targets")
    form = _target_form(request, {"framework_slug": selectors_plans.DEFAULT_SLUG})
    if request.method == "POST" and form.is_valid():
        try:
            services_plans.target_add(actor=actor, authority=authority_obj, values=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Target set."))
            return redirect("selfreview:authority", pk=authority_obj.pk)
    return render(request, "selfreview/target_form.html", {"form": form, "authority": authority_obj})


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    target = selectors_plans.target_for(actor, pk)
    initial = {"title": target.title, "framework_slug": target.framework_slug, "element_number": target.element_number,
               "phase": target.phase, "share": target.share, "due_on": target.due_on}
    form = _target_form(request, initial)
    if request.method == "POST" and request.POST.get("delete") == "1":
        services_plans.target_delete(actor=actor, target=target)
        messages.success(request, _("Target removed."))
        return redirect("selfreview:authority", pk=target.local_authority_id)
    if request.method == "POST" and form.is_valid():
        try:
            services_plans.target_update(actor=actor, target=target, values=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Target saved."))
            return redirect("selfreview:authority", pk=target.local_authority_id)
    return render(request, "selfreview/target_form.html", {"form": form, "authority": target.local_authority,
                                                           "target": target})
