"""Self-review pages: frameworks, reviews, answering aspects, the result and its CSV."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, can, get_for
from commonroom.common.views import apply_service_errors
from commonroom.organisations.models import Institution
from commonroom.records.assessment_selectors import spreadsheet_safe as _safe
from commonroom.selfreview import selectors, services
from commonroom.selfreview.forms import AnswerForm, AssignForm, StartForm, evidence_text


@login_required
def frameworks(request: HttpRequest) -> HttpResponse:
    return render(request, "selfreview/frameworks.html", {"frameworks": selectors.frameworks_list(actor_for(request))})


@login_required
def framework(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "selfreview/framework.html", {"framework": selectors.framework_detail(actor_for(request), pk)})


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    return render(request, "selfreview/reviews.html", {
        "reviews": selectors.reviews_list(actor), "institutions": selectors.institutions_to_start(actor),
        "authorities": _overview_authorities(actor)})


def _overview_authorities(actor: Any) -> Any:
    from commonroom.authz.api import visible
    from commonroom.organisations.models import LocalAuthority

    return visible(actor, LocalAuthority, "view_self_review_overview").order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, "start_self_review")
    form = StartForm(request.POST or None, frameworks=selectors.published_frameworks(actor))
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_start(actor=actor, institution=institution, framework=form.cleaned_data["framework"],
                                           title=form.cleaned_data["title"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Review started. Assign elements to colleagues, or start answering."))
            return redirect("selfreview:review", pk=review.pk)
    return render(request, "selfreview/start.html", {"institution": institution, "form": form})


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "selfreview/review.html", {"data": selectors.review_view(actor_for(request), pk)})


@login_required
@require_http_methods(["GET", "POST"])
def review_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    data = selectors.review_view(actor, pk)
    if not data.can_manage:
        raise NotFound()
    elements = [e.element for e in data.elements]
    colleagues = services.colleagues_of(data.review.institution_id)
    current = {e.element.pk: e.assignee.pk for e in data.elements if e.assignee}
    form = AssignForm(request.POST or None, elements=elements, colleagues=colleagues, current=current)
    if request.method == "POST" and form.is_valid():
        people = {str(p.pk): p for p in colleagues}
        try:
            for element in elements:
                chosen = form.cleaned_data.get(f"element_{element.pk}") or ""
                if str(current.get(element.pk, "")) != chosen:
                    services.element_assign(actor=actor, review=data.review, element=element, person=people.get(chosen))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Assignments saved."))
            return redirect("selfreview:review", pk=data.review.pk)
    return render(request, "selfreview/assign.html", {"data": data, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def aspect(request: HttpRequest, pk: int, aspect_pk: int) -> HttpResponse:
    actor = actor_for(request)
    review_obj, answer, editable = selectors.answer_for(actor, pk, aspect_pk)
    if request.method == "POST" and not editable:
        raise NotFound()
    scale = review_obj.framework.scale
    initial = {"level": answer.level, "notes": answer.notes, "evidence": evidence_text(answer.evidence),
               "seen_version": answer.version}
    form = AnswerForm(request.POST or None, initial=initial, aspect=answer.aspect, scale=scale)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            services.answer_save(actor=actor, answer=answer, level=values["level"], notes=values["notes"],
                                 evidence=values["evidence"], seen_version=values["seen_version"])
        except services.StaleAnswer as stale:
            conflict = stale.current
            data = request.POST.copy()
            data["seen_version"] = str(conflict.version)
            form = AnswerForm(data, aspect=answer.aspect, scale=scale)
            form.is_valid()
            form.add_error(None, _("%(who)s saved this aspect while you were working on it. Their answer is shown "
                                   "below; your changes are still in the form. Save again to replace their answer with yours.")
                           % {"who": conflict.updated_by.full_name if conflict.updated_by else _("Someone")})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Aspect %(code)s saved.") % {"code": answer.aspect.code})
            if request.POST.get("next") == "review":
                return redirect("selfreview:review", pk=review_obj.pk)
            return redirect(reverse("selfreview:review", args=[review_obj.pk]) + f"#element-{answer.element.number}")
    return render_aspect(request, actor, review_obj, answer, editable, form=form, conflict=conflict)


def render_aspect(request: HttpRequest, actor: Any, review_obj: Any, answer: Any, editable: bool, *, form: Any = None,
                  conflict: Any = None, file_form: Any = None, status: int = 200) -> HttpResponse:
    """The aspect page: the answer (a form to editors), platform evidence and files."""
    from commonroom.selfreview import evidence, evidence_files
    from commonroom.selfreview.forms import EvidenceFileForm

    if form is None:
        form = AnswerForm(initial={"level": answer.level, "notes": answer.notes, "evidence": evidence_text(answer.evidence),
                                   "seen_version": answer.version}, aspect=answer.aspect, scale=review_obj.framework.scale)
    return render(request, "selfreview/aspect.html", {"review": review_obj, "answer": answer, "form": form,
                                                     "editable": editable, "conflict": conflict,
                                                     "scale": review_obj.framework.scale,
                                                     "can_plan": can(actor, "plan_actions", answer.review.institution),
                                                     "offers": evidence.offered(actor, answer) if editable else [],
                                                     "snapshots": evidence.snapshots(answer),
                                                     "files": evidence_files.files_for(answer),
                                                     "file_form": file_form or EvidenceFileForm()}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    data = selectors.review_view(actor, pk)
    if not data.can_manage:
        raise NotFound()
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.review_complete(actor=actor, review=data.review)
        except ValidationError as error:
            errors = list(error.messages)
        else:
            messages.success(request, _("Review completed."))
            return redirect("selfreview:result", pk=data.review.pk)
    return render(request, "selfreview/complete.html", {"data": data, "errors": errors})


def _result_context(request: HttpRequest, pk: int) -> dict:  # type: ignore[type-arg]
    actor = actor_for(request)
    data = selectors.review_view(actor, pk)
    history = selectors.review_history(actor, data.review)
    earlier = [row for row in history if row.review.pk != data.review.pk
               and (row.review.completed_on or row.review.started_on) <= (data.review.completed_on or data.review.started_on)]
    previous = earlier[-1].by_element if earlier else None
    numbers = [e.element.number for e in data.elements]
    first = history[0].by_element if history else {}
    current = next((row.by_element for row in history if row.review.pk == data.review.pk), {})
    travelled: dict[int, float | None] = {}
    for n in numbers:
        before, now = first.get(n), current.get(n)
        travelled[n] = round(before - now, 1) if before is not None and now is not None else None
    from commonroom.selfreview.evidence_files import files_by_aspect

    found = files_by_aspect(data.review)
    file_rows = [(row.aspect, found[row.aspect.pk]) for e in data.elements for row in e.rows if row.aspect.pk in found]
    return {"data": data, "history": history, "radar": selectors.radar(data.elements, previous), "numbers": numbers,
            "travelled": travelled, "previous": earlier[-1] if earlier else None, "file_rows": file_rows, "files": found}


@login_required
def result(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "selfreview/result.html", _result_context(request, pk))


@login_required
def result_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from commonroom.selfreview.pdf import render_result_pdf

    context = _result_context(request, pk)
    data = context["data"]
    previous = context["previous"].by_element if context["previous"] else None
    response = HttpResponse(render_result_pdf(data, context["history"], previous, context["files"]), content_type="application/pdf")
    name = slugify(f"{data.review.institution.name} {data.review.title}") or "review"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@login_required
def result_csv(request: HttpRequest, pk: int) -> HttpResponse:
    from commonroom.selfreview.evidence_files import files_by_aspect

    data = selectors.review_view(actor_for(request), pk)
    files = files_by_aspect(data.review)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(f"{data.review.institution.name} {data.review.title}") or "review"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(["element", "element_name", "strand", "strand_name", "aspect", "aspect_title", "level", "threshold",
                     "at_threshold", "notes", "evidence", "files"])
    for element in data.elements:
        for strand in element.strands:
            for row in strand.rows:
                writer.writerow([element.element.number, element.element.name, strand.strand.code, strand.strand.name,
                                 row.aspect.code, row.aspect.title, row.level or "", row.aspect.threshold,
                                 "yes" if row.met else "no", _safe(row.answer.notes if row.answer else ""),
                                 _safe(" | ".join(i.get("url") or i.get("text") or "" for i in (row.answer.evidence if row.answer else []))),
                                 _safe(" | ".join(f.file_name for f in files.get(row.aspect.pk, [])))])
    return response
