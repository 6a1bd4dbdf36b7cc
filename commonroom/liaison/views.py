"""Pages: parents report absences and ask for changes; the office decides; the school reads uptake."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound
from commonroom.common.views import apply_service_errors
from commonroom.liaison import selectors, services
from commonroom.liaison.forms import (
    AbsenceReportForm,
    ChildDetailsForm,
    ContactDetailsForm,
    DecideAbsenceForm,
    DecideChangeForm,
)
from commonroom.liaison.models import DetailChange
from commonroom.records.assessment_selectors import spreadsheet_safe as _safe


@login_required
@require_http_methods(["GET", "POST"])
def absence_report(request: HttpRequest, learner_id: int) -> HttpResponse:
    """A parent reports their child ill today, or a planned absence."""
    actor = actor_for(request)
    learner, institutions = selectors.child_for_absence(actor, learner_id)
    form = AbsenceReportForm(request.POST if request.method == "POST" else None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        institution = next((i for i in institutions if i.pk == data["institution"]), None)
        if institution is None:
            raise NotFound()
        try:
            services.absence_report_create(
                actor=actor, learner=learner, institution=institution, kind=data["kind"], sessions=data["sessions"],
                note=data["note"], first_date=data["first_date"], last_date=data["last_date"], reason=data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: the school has your report. It will confirm the absence."))
            return redirect("liaison:my_absence_reports")
    return render(request, "liaison/absence_report.html", {"learner": learner, "form": form,
                                                           "institutions": institutions})


@login_required
def my_absence_reports(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    return render(request, "liaison/my_absence_reports.html", {
        "reports": selectors.my_absence_reports(actor), "children": selectors.my_children(actor)})


@login_required
def absence_queue(request: HttpRequest, pk: int) -> HttpResponse:
    queue = selectors.absence_queue(actor_for(request), pk)
    return render(request, "liaison/absence_queue.html", {"queue": queue})


@login_required
@require_http_methods(["GET", "POST"])
def absence_decide(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """Confirm a report with a code (marks written through the records service) or decline it."""
    actor = actor_for(request)
    report = selectors.report_for_decision(actor, report_pk)
    if report.institution_id != pk:
        raise NotFound()
    suggested = services.SUGGESTED_CODE.get(report.reason, "I")
    form = DecideAbsenceForm(request.POST if request.method == "POST" else None, initial={"code": suggested})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "decline":
                services.absence_report_decline(actor=actor, report=report, note=data["note"])
                messages.success(request, _("Report declined; the parent sees your note."))
            else:
                services.absence_report_confirm(actor=actor, report=report, code=data["code"], note=data["note"],
                                                replace_present=data["replace_present"])
                messages.success(request, _("Absence confirmed: the register shows code %(code)s.") % {"code": data["code"]})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("liaison:absence_queue", pk=pk)
    return render(request, "liaison/absence_decide.html", {
        "report": report, "form": form, "present": services.present_marks(report), "suggested": suggested})


# Changes of details ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_details(request: HttpRequest) -> HttpResponse:
    """A parent's own email and phone, the form to ask for a change, and every request's outcome."""
    actor = actor_for(request)
    children = selectors.my_children(actor)
    person = selectors.my_person(actor)
    initial = {"email": person.email, "phone": person.phone} if person else {}
    form = ContactDetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if not children:
            raise NotFound()
        if form.is_valid():
            try:
                services.detail_changes_request(actor=actor, values=dict(form.cleaned_data))
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Sent to the school office. You will see here when they have decided."))
                return redirect("liaison:my_details")
    return render(request, "liaison/my_details.html", {
        "form": form if children else None, "person": person, "children": children,
        "changes": selectors.my_detail_changes(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def child_details(request: HttpRequest, learner_id: int) -> HttpResponse:
    actor = actor_for(request)
    learner = next((c for c in selectors.my_children(actor) if str(c.pk) == str(learner_id)), None)
    if learner is None:
        raise NotFound()
    form = ChildDetailsForm(request.POST if request.method == "POST" else None,
                            initial={"medical_notes": learner.medical_notes, "dietary_needs": learner.dietary_needs})
    if request.method == "POST" and form.is_valid():
        try:
            services.detail_changes_request(actor=actor, learner=learner, values=dict(form.cleaned_data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Sent to the school office. You will see here when they have decided."))
            return redirect("liaison:my_details")
    return render(request, "liaison/child_details.html", {"learner": learner, "form": form})


@login_required
def detail_changes(request: HttpRequest, pk: int) -> HttpResponse:
    queue = selectors.detail_change_queue(actor_for(request), pk)
    return render(request, "liaison/detail_changes.html", {"queue": queue})


@login_required
@require_http_methods(["GET", "POST"])
def detail_change_decide(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution, change, current = selectors.change_for_decision(actor, pk, change_pk)
    stale = current != change.old_value
    form = DecideChangeForm(request.POST if request.method == "POST" else None,
                            initial={"seen_current": current, "seen": stale})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "reject":
                services.detail_change_reject(actor=actor, change=change, institution=institution, note=data["note"])
                messages.success(request, _("Change rejected; the parent sees your note."))
            else:
                services.detail_change_approve(actor=actor, change=change, institution=institution, note=data["note"],
                                               seen_current=data["seen_current"] if data["seen"] else None)
                messages.success(request, _("Change approved: the record now holds the new value."))
        except services.StaleChange as error:
            # Ask again, now that the office has seen what the record holds.
            current, stale = error.current, True
            form = DecideChangeForm({"note": data["note"], "seen_current": current, "seen": "on"})
            form.is_valid()
            apply_service_errors(form, error)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("liaison:detail_changes", pk=pk)
    return render(request, "liaison/detail_change_decide.html", {
        "institution": institution, "change": change, "current": current, "stale": stale, "form": form,
        "Field": DetailChange.Field})


# Uptake ------------------------------------------------------------------------------------------


def _chart(figures: selectors.UptakeFigures) -> list[dict[str, Any]]:
    """Bar geometry for the uptake chart: per year group, three bars (accounts, active, reports read) of a 100-wide scale."""
    rows = []
    for index, year in enumerate([*figures.years, figures.total]):
        bars = []
        for offset, (kind, label, pct) in enumerate((
            ("accounts", _("accounts activated"), year.accounts_pct),
            ("active", _("active in the last 30 days"), year.active_pct),
            ("reports", _("reports read"), year.reports_read_pct),
            ("messages", _("messages from school opened"), year.messages_read_pct),
        )):
            bars.append({"kind": kind, "y": index * 60 + 6 + offset * 13, "width": round(3 * (pct or 0), 1),
                         "label": f"{year.label}: {pct if pct is not None else '–'}% {label}",
                         "text_x": round(3 * (pct or 0), 1) + 125, "pct": pct})
        rows.append({"label": year.label, "y": index * 60 + 28, "bars": bars})
    return rows


@login_required
def uptake(request: HttpRequest, pk: int) -> HttpResponse:
    figures = selectors.uptake_figures(actor_for(request), pk)
    chart = _chart(figures)
    return render(request, "liaison/uptake.html", {"figures": figures, "chart": chart,
                                                   "chart_height": len(chart) * 60 + 10})


@login_required
def uptake_csv(request: HttpRequest, pk: int) -> HttpResponse:
    figures = selectors.uptake_figures(actor_for(request), pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parent-uptake-{figures.institution_id}-{figures.on}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(["section", "year group", "learners", "parents and carers", "accounts activated",
                     "active in last 30 days", "reports issued", "reports read", "messages sent", "messages read"])
    for year in [*figures.years, figures.total]:
        writer.writerow(["year", year.label, year.learners, year.contacts, year.accounts, year.active_30_days,
                         year.reports_issued, year.reports_read, year.messages_sent, year.messages_read])
    writer.writerow([])
    writer.writerow(["section", "parent or carer", "children", "year groups", "account activated", "last signed in",
                     "reports issued", "reports read", "messages received", "messages read"])
    for parent in figures.parents:
        writer.writerow(["parent", _safe(parent.name), _safe("; ".join(parent.children)), "; ".join(parent.years),
                         "yes" if parent.activated else "no",
                         parent.last_login.isoformat(timespec="minutes") if parent.last_login else "",
                         parent.reports_issued, _safe("; ".join(parent.reports_read)), parent.messages_received,
                         parent.messages_read])
    return response
