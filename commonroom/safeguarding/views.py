"""Pages of acceptable use: the policies the signed-in person is asked to accept (and accepting one),
reading a version, and for an institution's leaders, publishing a version and seeing who has accepted."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import get_for
from commonroom.common.views import apply_service_errors
from commonroom.safeguarding import selectors, services
from commonroom.safeguarding.forms import PublishForm
from commonroom.safeguarding.models import AcceptableUsePolicy


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "safeguarding/mine.html", {"mine": selectors.my_policies(actor_for(request))})


@login_required
def policy(request: HttpRequest, pk: int) -> HttpResponse:
    row, acceptance, may_accept = selectors.policy_detail(actor_for(request), pk)
    return render(request, "safeguarding/policy.html", {"policy": row, "acceptance": acceptance,
                                                          "may_accept": may_accept})


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    row = get_for(actor, AcceptableUsePolicy, pk, "accept")
    services.policy_accept(actor=actor, policy=row)
    messages.success(request, _("Thank you: you have accepted “%(title)s”.") % {"title": row.title})
    return redirect("safeguarding:acceptable_use")


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution, figures = selectors.institution_figures(actor, pk)
    form = PublishForm(request.POST or None, initial={"audience": request.GET.get("audience")})
    if request.method == "POST" and form.is_valid():
        try:
            row = services.policy_publish(actor=actor, institution=institution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Published version %(v)s of “%(title)s” for %(audience)s.")
                             % {"v": row.version, "title": row.title, "audience": row.get_audience_display().lower()})
            return redirect("safeguarding:acceptable_use_manage", pk=institution.pk)
    return render(request, "safeguarding/manage.html", {"institution": institution, "figures": figures, "form": form})


@login_required
def audience(request: HttpRequest, pk: int, audience: str) -> HttpResponse:
    view = selectors.audience_people(actor_for(request), pk, audience)
    return render(request, "safeguarding/audience.html", {"view": view, "names_shown": selectors.NAMES_SHOWN})
