"""SEN pages: a learner's SEN (at the reader's level), the SENCO's forms, and the school's SEN register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.common.dates import today
from commonroom.common.views import apply_service_errors
from commonroom.records import sen_selectors as selectors
from commonroom.records import sen_services as services
from commonroom.records.models import SenRecord, SenReview
from commonroom.records.sen_forms import ProvisionForm, ReviewForm, SenRecordForm


@login_required
def learner_sen(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors.learner_sen(actor_for(request), pk)
    return render(request, "records/learner_sen.html", {"data": data, "today": today()})


@login_required
@require_http_methods(["GET", "POST"])
def sen_record_edit(request: HttpRequest, pk: int, institution_pk: int) -> HttpResponse:
    """Open or change a learner's SEN record at one school (the SENCO or the head)."""
    actor = actor_for(request)
    data = selectors.learner_sen(actor, pk)
    view = next((v for v in data.records if v.record.institution_id == institution_pk), None)
    institution = view.record.institution if view else next((i for i in data.may_open_at if i.pk == institution_pk), None)
    if institution is None or (view is not None and not view.can_manage):
        raise NotFound()
    record = view.record if view else None
    initial = ({field: getattr(record, field) for field in (
        "status", "status_since", "primary_need", "secondary_need", "teacher_summary", "strategies", "plan_detail",
        "family_summary", "share_with_family")} | {"seen_version": record.version}) if record else {"status_since": today()}
    form = SenRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            services.sen_record_save(actor=actor, learner=data.learner, institution=institution, **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("SEN record saved."))
            return redirect("records:learner_sen", pk=data.learner.pk)
    return render(request, "records/sen_record_edit.html", {"data": data, "institution": institution, "form": form,
                                                           "record": record})


def _managed_record(request: HttpRequest, pk: int) -> SenRecord:
    return get_for(actor_for(request), SenRecord, pk, "manage")


@login_required
@require_http_methods(["GET", "POST"])
def sen_provision_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    record = _managed_record(request, pk)
    form = ProvisionForm(request.POST or None, initial={"start_date": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.sen_provision_add(actor=actor, record=record, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Provision added."))
            return redirect("records:learner_sen", pk=record.learner_id)
    return render(request, "records/sen_form.html", {"record": record, "form": form, "title": _("Add provision")})


@login_required
@require_http_methods(["GET", "POST"])
def sen_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan a review, or (``?review=ID``) record the outcome of one."""
    actor = actor_for(request)
    record = _managed_record(request, pk)
    review = None
    wanted = request.GET.get("review", "")
    if wanted:
        if not (wanted.isascii() and wanted.isdigit() and len(wanted) < 19):
            raise NotFound()
        review = SenReview.objects.filter(pk=int(wanted), record=record).first()
        if review is None:
            raise NotFound()
    initial = ({"due_on": review.due_on, "held_on": review.held_on or today(), "outcome": review.outcome,
                "shared_with_family": review.shared_with_family} if review else {})
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.sen_review_save(actor=actor, record=record, review=review, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Review saved."))
            return redirect("records:learner_sen", pk=record.learner_id)
    title = _("Record the review") if review else _("Plan a review")
    return render(request, "records/sen_form.html", {"record": record, "form": form, "title": title})


@login_required
def sen_register(request: HttpRequest, pk: int) -> HttpResponse:
    register = selectors.sen_register(actor_for(request), pk)
    return render(request, "records/sen_register.html", {"register": register, "today": today()})
