"""Pages about learners and groups. Thin: parse, fetch through authz, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.authz.models import Role
from commonroom.common.views import apply_service_errors
from commonroom.organisations.selectors import institution_for
from commonroom.people import selectors, services
from commonroom.people.forms import LearnerEnrolForm, LearnerSearchForm
from commonroom.people.models import ContactLink


@login_required
def learner_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = LearnerSearchForm(request.GET or None)
    learners = selectors.learner_list(actor)
    if form.is_valid() and (term := form.cleaned_data["q"].strip()):
        learners = learners.filter(
            Q(person__family_name__icontains=term)
            | Q(person__given_name__icontains=term)
            | Q(upn__iexact=term.upper())
            | Q(uln=term)
        )
    page = Paginator(learners, 50).get_page(request.GET.get("page"))
    return render(request, "people/learner_list.html", {"form": form, "page": page})


@login_required
def learner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    profile = selectors.learner_profile(actor, pk)
    can_invite = bool(actor.institutions_where(Role.HEAD, Role.LEADER, Role.OFFICE) & {e.institution_id for e in profile.enrolments})
    return render(request, "people/learner_detail.html", {"profile": profile, "can_invite": can_invite})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "people/group_detail.html", {"detail": selectors.group_detail(actor_for(request), pk)})


@login_required
@require_http_methods(["GET", "POST"])
def learner_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    institution = institution_for(actor, pk)
    if pk not in actor.institutions_where(*services.ENROLLING_ROLES):
        raise NotFound()
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
def contact_invite(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    """Issue a parent's invitation code for one contact of one learner. The code is shown once."""
    from commonroom.identity.services import invitation_issue

    actor = actor_for(request)
    link = get_for(actor, ContactLink, link_pk, action="invite", queryset=ContactLink.objects.select_related("learner__person", "contact"))
    if link.learner_id != pk:
        raise NotFound()
    profile = selectors.learner_profile(actor, pk, audit_read=False)
    institutions = [e.institution for e in profile.enrolments if e.institution_id in actor.institutions_where(*services.ENROLLING_ROLES)]
    if not institutions:
        raise NotFound()
    if request.method == "POST":
        invitation, code = invitation_issue(actor=actor, contact_link=link, institution_id=institutions[0].pk)
        return render(request, "people/contact_invite.html", {"link": link, "code": code, "invitation": invitation})
    return render(request, "people/contact_invite.html", {"link": link, "code": None, "institution": institutions[0]})
