"""Pages for platform evidence on an aspect, and for the Charter (status, history, commit, recognition, visits)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import Actor, actor_for
from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.common.views import apply_service_errors
from commonroom.organisations.models import Institution
from commonroom.selfreview import charter, charter_services, evidence, selectors
from commonroom.selfreview.charter_forms import CommitForm, DecideForm, RequestForm, VisitForm


def _aspect_url(review_pk: int, aspect_pk: int) -> str:
    return reverse("selfreview:aspect", args=[review_pk, aspect_pk]) + "#platform-evidence"


@login_required
@require_POST
def evidence_attach(request: HttpRequest, pk: int, aspect_pk: int) -> HttpResponse:
    actor = actor_for(request)
    _review, answer, editable = selectors.answer_for(actor, pk, aspect_pk)
    if not editable:
        raise NotFound()
    try:
        snap = evidence.evidence_attach(actor=actor, answer=answer, measure=request.POST.get("measure", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Attached: %(label)s, %(figure)s on %(date)s.") % {
            "label": snap["label"], "figure": snap["figure"], "date": snap["as_of"]})
    return redirect(_aspect_url(pk, aspect_pk))


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int, aspect_pk: int) -> HttpResponse:
    actor = actor_for(request)
    _review, answer, editable = selectors.answer_for(actor, pk, aspect_pk)
    if not editable:
        raise NotFound()
    try:
        evidence.evidence_remove(actor=actor, answer=answer, index=int(request.POST.get("index", "-1") or -1))
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("There is no such figure on this aspect.")])))
    else:
        messages.success(request, _("Figure removed from the evidence."))
    return redirect(_aspect_url(pk, aspect_pk))


# --- The Charter --------------------------------------------------------------------------------


@login_required
def charter_list(request: HttpRequest) -> HttpResponse:
    """Institutions whose Charter the actor may read, with the stage each holds (two queries)."""
    actor = actor_for(request)
    institutions = list(visible(actor, Institution, "view_charter").order_by("name"))
    stages = charter.current_stages([i.pk for i in institutions])
    rows = [(inst, charter.stage_label(stages.get(inst.pk))) for inst in institutions]
    return render(request, "selfreview/charter_list.html", {"rows": rows})


def _context(request: HttpRequest, institution: Institution) -> dict:  # type: ignore[type-arg]
    actor = actor_for(request)
    return {
        "institution": institution, "status": charter.charter_status(institution.pk),
        "may_commit": can(actor, "commit_to_charter", institution),
        "may_confirm": can(actor, "confirm_charter", institution),
        "may_assess": can(actor, "assess_charter", institution),
        "pending": selectors.pending_recognition(institution),
    }


@login_required
def charter_page(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_for(actor_for(request), Institution, pk, "view_charter")
    return render(request, "selfreview/charter.html", _context(request, institution))


@login_required
def charter_history(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_for(actor_for(request), Institution, pk, "view_charter")
    return render(request, "selfreview/charter_history.html", {
        "institution": institution, "status": charter.charter_status(institution.pk),
        "requests": selectors.recognition_requests(institution)})


# A Charter step: the service call made with the acting person, the institution and the form's cleaned data.
Step = Callable[[Actor, Institution, dict[str, Any]], object]


def _charter_step(request: HttpRequest, pk: int, *, action: str, form_class: type[forms.Form], step: Step, done: str,
                  heading: str, button: str, show_request: bool = False) -> HttpResponse:
    """One Charter step's page: the institution through the policy for ``action``, the form, and on a valid
    POST the service call; what the service refuses is shown at the fields (or above them), and a step taken
    goes back to the Charter page with ``done``."""
    actor = actor_for(request)
    institution = get_for(actor, Institution, pk, action)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            step(actor, institution, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("selfreview:charter", pk=institution.pk)
    extra = {"show_request": True} if show_request else {}
    return render(request, "selfreview/charter_form.html", _context(request, institution) | {
        "form": form, "heading": heading, "button": button} | extra)


def _commit(actor: Actor, institution: Institution, values: dict[str, Any]) -> object:
    return charter_services.charter_commit(actor=actor, institution=institution, notes=values["notes"])


def _request(actor: Actor, institution: Institution, values: dict[str, Any]) -> object:
    return charter_services.recognition_request(actor=actor, institution=institution, note=values["note"])


def _decide(actor: Actor, institution: Institution, values: dict[str, Any]) -> object:
    pending = selectors.pending_recognition(institution)
    if pending is None:
        raise ValidationError(_("There is no request waiting for a decision."))
    return charter_services.recognition_decide(actor=actor, request=pending, confirm=values["decision"] == "confirm",
                                               adviser_reference=values["adviser_reference"], note=values["note"])


def _visit(actor: Actor, institution: Institution, values: dict[str, Any]) -> object:
    return charter_services.charter_visit(actor=actor, institution=institution, stage=values["stage"],
                                          visit_date=values["visit_date"], awarded=values["outcome"] == "awarded",
                                          notes=values["notes"])


@login_required
@require_http_methods(["GET", "POST"])
def charter_commit(request: HttpRequest, pk: int) -> HttpResponse:
    return _charter_step(request, pk, action="commit_to_charter", form_class=CommitForm, step=_commit,
                         done=_("The commitment is recorded: the institution is at the Committed stage."),
                         heading=_("Commit to the Charter"), button=_("Record the commitment"))


@login_required
@require_http_methods(["GET", "POST"])
def charter_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _charter_step(request, pk, action="commit_to_charter", form_class=RequestForm, step=_request,
                         done=_("Recognition requested: an adviser from the authority will confirm it."),
                         heading=_("Ask for recognition"), button=_("Send the request"))


@login_required
@require_http_methods(["GET", "POST"])
def charter_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _charter_step(request, pk, action="confirm_charter", form_class=DecideForm, step=_decide,
                         done=_("Decision recorded."), heading=_("Confirm recognition"), button=_("Record the decision"),
                         show_request=True)


@login_required
@require_http_methods(["GET", "POST"])
def charter_visit(request: HttpRequest, pk: int) -> HttpResponse:
    return _charter_step(request, pk, action="assess_charter", form_class=VisitForm, step=_visit,
                         done=_("Visit recorded."), heading=_("Record an assessor's visit"), button=_("Record the visit"))
