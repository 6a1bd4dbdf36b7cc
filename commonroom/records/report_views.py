"""Written-report pages: cycles, writing, proof-reading, publishing, PDFs, and reports as issued. Thin views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for, visible
from commonroom.common.views import apply_service_errors
from commonroom.organisations.models import Institution
from commonroom.records import report_selectors as selectors
from commonroom.records import report_services as services
from commonroom.records.models import CommentBankEntry, ReportComment, ReportCycle, ReportRun
from commonroom.records.report_forms import BankEntryForm, CycleForm, ProofreadForm, WritingForm
from commonroom.records.tasks import document_of


@login_required
def reports_home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    return render(request, "records/reports_home.html", {
        "tasks": selectors.my_report_tasks(actor),
        "managed": visible(actor, Institution, "manage_reports").order_by("name"),
        "cycles": visible(actor, ReportCycle).select_related("institution").order_by("-deadline")[:50],
    })


@login_required
@require_http_methods(["GET", "POST"])
def report_cycles(request: HttpRequest, pk: int) -> HttpResponse:
    """A school's report cycles, a new cycle, and the comment bank (the head and senior leaders)."""
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, "manage_reports")
    which = request.POST.get("form") if request.method == "POST" else None
    cycle_form = CycleForm(request.POST if which == "cycle" else None, institution=institution, prefix="cy")
    bank_form = BankEntryForm(request.POST if which == "bank" else None, prefix="bk")
    if which == "cycle" and cycle_form.is_valid():
        data = cycle_form.cleaned_data
        try:
            cycle = services.cycle_create(
                actor=actor, institution=institution, name=data["name"], academic_year_id=data["academic_year"].pk,
                year_group_ids=[g.pk for g in data["year_groups"]], deadline=data["deadline"],
                subjects=cycle_form.subject_list(), point_id=data["point"].pk if data["point"] else None,
                tutor_section=data["tutor_section"], head_of_year_section=data["head_of_year_section"],
                include_attendance=data["include_attendance"])
        except ValidationError as error:
            apply_service_errors(cycle_form, error)
        else:
            messages.success(request, _("Report cycle %(name)s set up.") % {"name": cycle.name})
            return redirect("records:report_cycle", pk=cycle.pk)
    if which == "bank" and bank_form.is_valid():
        try:
            services.bank_entry_add(actor=actor, institution=institution, **bank_form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(bank_form, error)
        else:
            messages.success(request, _("Comment added to the bank."))
            return redirect(request.path)
    return render(request, "records/report_cycles.html", {
        "institution": institution, "cycle_form": cycle_form, "bank_form": bank_form,
        "forms": [f for f in (cycle_form, bank_form) if f.is_bound],
        "cycles": ReportCycle.objects.filter(institution=institution).select_related("academic_year"),
        "bank": CommentBankEntry.objects.filter(institution=institution),
    })


@login_required
@require_http_methods(["GET", "POST"])
def report_cycle(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    overview = selectors.cycle_overview(actor, pk)
    if request.method == "POST":
        if not overview.can_manage:
            raise NotFound()
        try:
            if request.POST.get("action") == "publish":
                count = services.cycle_publish(actor=actor, cycle=overview.cycle)
                messages.success(request, _("Published %(n)s reports. Each is frozen as issued.") % {"n": count})
            elif request.POST.get("action") == "pdf":
                services.run_start(actor=actor, cycle=overview.cycle)
                messages.success(request, _("Making the PDF of the whole cycle. This page shows its progress."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(request.path)
    return render(request, "records/report_cycle.html", {"overview": overview, "statuses": ReportComment.Status})


@login_required
@require_http_methods(["GET", "POST"])
def report_writing(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    actor = actor_for(request)
    sheet = selectors.writing_sheet(actor, pk, group_pk)
    form = WritingForm(request.POST if request.method == "POST" else None, sheet=sheet)
    if request.method == "POST":
        if not sheet.editable:
            raise NotFound()
        if form.is_valid():
            ready = request.POST.get("action") == "ready"
            texts = form.texts()
            entries = [services.CommentEntry(row.learner_id, texts[row.learner_id],
                                             form.cleaned_data.get(f"v_{row.learner_id}") or 0,
                                             ready and bool(texts[row.learner_id])) for row in sheet.rows]
            try:
                result = services.comments_save(actor=actor, cycle=sheet.cycle, group=sheet.group, entries=entries)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Comments saved: %(created)s new, %(changed)s changed.")
                                 % {"created": result.created, "changed": result.changed})
                return redirect(request.path)
    return render(request, "records/report_writing.html", {"sheet": sheet, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def report_proofread(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    cycle, rows = selectors.proofreading(actor, pk)
    form = ProofreadForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        seen = {row.comment.pk: form.cleaned_data.get(f"ver_{row.comment.pk}") or 0 for row in rows}
        checked = {row.comment.pk: seen[row.comment.pk] for row in rows
                   if form.cleaned_data.get(f"d_{row.comment.pk}") == "checked"}
        returned = {row.comment.pk: (seen[row.comment.pk], form.cleaned_data.get(f"note_{row.comment.pk}") or "")
                    for row in rows if form.cleaned_data.get(f"d_{row.comment.pk}") == "returned"}
        try:
            done, sent_back = services.comments_check(actor=actor, cycle=cycle, checked=checked, returned=returned)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(done)s checked, %(back)s returned.") % {"done": done, "back": sent_back})
            return redirect(request.path)
    return render(request, "records/report_proofread.html", {"cycle": cycle, "form": form})


def _pdf_response(data: dict[str, Any], filename: str) -> HttpResponse:
    from commonroom.reporting_pdf.render import render_report

    response = HttpResponse(render_report(document_of(data)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def report_preview(request: HttpRequest, pk: int, learner_pk: int) -> HttpResponse:
    document = selectors.preview(actor_for(request), pk, learner_pk)
    if request.GET.get("format") == "pdf":
        return _pdf_response(document, f"report-preview-{learner_pk}.pdf")
    return render(request, "records/report_document.html", {"document": document, "preview": True,
                                                            "pdf_url": f"{request.path}?format=pdf"})


@login_required
def learner_reports(request: HttpRequest, pk: int) -> HttpResponse:
    learner, reports = selectors.learner_reports(actor_for(request), pk)
    return render(request, "records/learner_reports.html", {"learner": learner, "reports": reports})


@login_required
def published_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.published_report(actor_for(request), pk)
    if request.GET.get("format") == "pdf":
        return _pdf_response(report.document, f"report-{report.cycle_id}-{report.learner_id}.pdf")
    return render(request, "records/report_document.html", {"document": report.document, "report": report,
                                                            "pdf_url": f"{request.path}?format=pdf"})


@login_required
def report_run_file(request: HttpRequest, pk: int) -> FileResponse:
    run = get_for(actor_for(request), ReportRun, pk)
    if not run.file:
        raise NotFound()
    response = FileResponse(run.file.open("rb"), as_attachment=True, filename=f"reports-cycle-{run.cycle_id}.pdf",
                            content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    return response

