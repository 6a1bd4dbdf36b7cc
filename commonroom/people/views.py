"""Pages about learners and groups. Thin: parse, fetch through authz, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, can, get_for
from commonroom.common.views import apply_service_errors
from commonroom.people import selectors, services
from commonroom.people.forms import ContactAddForm, LearnerEnrolForm, LearnerSearchForm
from commonroom.people.models import ContactLink, Learner


@login_required
def learner_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = LearnerSearchForm(request.GET or None)
    term = form.cleaned_data["q"] if form.is_valid() else ""
    page = selectors.learner_search_page(actor, term, request.GET.get("page"))
    return render(request, "people/learner_list.html", {"form": form, "page": page})


@login_required
def learner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    profile = selectors.learner_profile(actor, pk)
    can_change = can(actor, "change", profile.learner)
    return render(
        request,
        "people/learner_detail.html",
        {"profile": profile, "can_invite": can_change, "can_add_contact": can_change,
         "can_view_access_log": can(actor, "view_access_log", profile.learner)},
    )


@login_required
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    log = selectors.access_log(actor_for(request), pk, page_number=request.GET.get("page"))
    return render(request, "people/access_log.html", {"log": log, "page": log.page})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from commonroom.common.dates import today

    actor = actor_for(request)
    detail = selectors.group_detail(actor, pk)
    return render(request, "people/group_detail.html", {
        "detail": detail, "today": today(),
        "can_take_register": can(actor, "take_register", detail.group),
        "can_view_attendance": can(actor, "view_attendance", detail.group),
        "can_record_behaviour": any(can(actor, "record_behaviour", learner) for learner in detail.learners),
    })


@login_required
@require_http_methods(["GET", "POST"])
def learner_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = selectors.enrolling_institution(actor, pk)
    groups = selectors.group_list(actor, institution_id=institution.pk).filter(academic_year__end_date__gte=actor.on)
    form = LearnerEnrolForm(request.POST if request.method == "POST" else None, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            learner = services.learner_enrol(actor=actor, institution=institution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is enrolled.") % {"name": learner.person.full_name})
            return redirect("people:learner_detail", learner.pk)
    return render(request, "people/learner_enrol.html", {"form": form, "institution": institution})


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a new parent or carer for a learner (office and leadership of the learner's school)."""
    actor = actor_for(request)
    learner = get_for(actor, Learner, pk, action="change", queryset=Learner.objects.select_related("person"))
    form = ContactAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.contact_add(actor=actor, learner=learner, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is added as a contact.") % {"name": link.contact.full_name})
            return redirect("people:learner_detail", learner.pk)
    return render(request, "people/contact_add.html", {"form": form, "learner": learner})


@login_required
@require_http_methods(["GET", "POST"])
def contact_invite(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    """Issue a parent's invitation code for one contact of one learner. The code is shown once."""
    from commonroom.identity.services import invitation_issue

    actor = actor_for(request)
    link = get_for(actor, ContactLink, link_pk, action="invite", queryset=ContactLink.objects.select_related("learner__person", "contact"))
    if link.learner_id != pk:
        raise NotFound()
    institution = selectors.office_institutions_of(actor, link.learner_id)[0]
    if request.method == "POST":
        invitation, code = invitation_issue(actor=actor, contact_link=link, institution_id=institution.pk)
        return render(request, "people/contact_invite.html", {"link": link, "code": code, "invitation": invitation})
    return render(request, "people/contact_invite.html", {"link": link, "code": None, "institution": institution})
