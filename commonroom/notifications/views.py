"""Alert pages: a contact's own choices, the school's settings, and the office's undelivered list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz import audit
from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.views import apply_service_errors
from commonroom.notifications import selectors, services
from commonroom.notifications.forms import PreferencesForm, SettingsForm
from commonroom.notifications.models import Channel, Delivery
from commonroom.organisations.models import Institution


@login_required
@require_http_methods(["GET", "POST"])
def my_alerts(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    data = selectors.my_alerts(actor)
    initial = {f"channels_{kind}": [c for c, on in ((Channel.EMAIL, email), (Channel.SMS, sms)) if on]
               for kind, (email, sms) in data.channels.items()}
    form = PreferencesForm(request.POST or None, kinds=data.kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_save(actor=actor, choices=form.choices())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your alert choices are saved."))
            return redirect("notifications:my_alerts")
    return render(request, "notifications/my_alerts.html", {"data": data, "form": form})


def _institution(request: HttpRequest, pk: int) -> Institution:
    return get_for(actor_for(request), Institution, pk, "manage_alerts")


@login_required
@require_http_methods(["GET", "POST"])
def school_settings(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = _institution(request, pk)
    data = selectors.school_alerts(actor, institution)
    current = data.settings
    form = SettingsForm(request.POST or None, initial={
        "offered": current.offered, "absence_recipients": current.absence_recipients,
        "min_incident_severity": current.min_incident_severity, "retry_limit": current.retry_limit})
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_save(actor=actor, institution=institution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Alert settings saved."))
            return redirect("notifications:school_settings", pk=institution.pk)
    return render(request, "notifications/school_settings.html", {"data": data, "form": form})


@login_required
def undelivered(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = _institution(request, pk)
    page = Paginator(selectors.undelivered_list(actor, institution), 50).get_page(request.GET.get("page"))
    audit.record_learner_list_read(actor, sorted({row.learner_id for row in page}), what="alerts_undelivered")
    return render(request, "notifications/undelivered.html", {"institution": institution, "page": page,
                                                              "Status": Delivery.Status})


@login_required
@require_POST
def retry(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = _institution(request, pk)
    delivery = get_for(actor, Delivery, delivery_pk, "retry", queryset=Delivery.objects.filter(institution=institution))
    try:
        services.delivery_retry(actor=actor, delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The alert to %(name)s is queued to be sent again.") % {
            "name": delivery.recipient.full_name})
    return redirect("notifications:undelivered", pk=institution.pk)
