"""Account pages: the user's own account and tokens, joining by invitation, and account management."""

from __future__ import annotations

import datetime

from allauth.core import ratelimit
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for, visible
from commonroom.authz.models import RoleAssignment
from commonroom.authz.services import grantable_roles
from commonroom.authz.services import role_end as role_end_service
from commonroom.authz.services import role_grant as role_grant_service
from commonroom.common.dates import in_force
from commonroom.common.views import apply_service_errors
from commonroom.identity import services
from commonroom.identity.forms import InvitationCodeForm, JoinForm, RoleGrantForm, TokenForm
from commonroom.identity.models import PersonalAccessToken, User
from commonroom.organisations.models import Institution, LocalAuthority


@login_required
def account(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    roles = RoleAssignment.objects.none()
    if actor.person_id is not None:
        roles = (
            visible(actor, RoleAssignment)
            .filter(in_force(on=actor.on), person_id=actor.person_id)
            .select_related("institution", "local_authority")
        )
    return render(request, "identity/account.html", {"roles": roles})


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = TokenForm(request.POST if request.method == "POST" else None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time(23, 59))) if expires_on else None
        )
        try:
            _row, new_token = services.token_create(actor=actor, user=request.user, name=form.cleaned_data["name"], expires_at=expires_at)  # type: ignore[arg-type]
        except ValidationError as error:
            error.error_dict = {("expires_on" if key == "expires_at" else key): value for key, value in error.error_dict.items()}
            apply_service_errors(form, error)
        else:
            form = TokenForm()
    rows = visible(actor, PersonalAccessToken).order_by("-created_at")
    return render(request, "identity/tokens.html", {"form": form, "tokens": rows, "new_token": new_token})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    token = get_for(actor, PersonalAccessToken, pk, action="revoke")
    services.token_revoke(actor=actor, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("identity:tokens")


TOO_MANY_CODES = _lazy("Too many wrong codes. Wait an hour, or ask the school to check your code.")


def _code_attempts_left(request: HttpRequest, *, record_failure: bool = False) -> bool:
    """Wrong invitation codes are limited per address and per signed-in account (allauth's rate limiter)."""
    actions = ["invitation_code_failed"]
    if request.user.is_authenticated:
        actions.append("invitation_code_failed_user")
    return all(ratelimit.consume(request, action=action, dry_run=not record_failure) for action in actions)


def _redeem_failed(request: HttpRequest, form: forms.Form, error: ValidationError) -> None:
    if "code" in getattr(error, "error_dict", {}):
        _code_attempts_left(request, record_failure=True)
    apply_service_errors(form, error)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """A parent or carer creates their account with the code their child's school issued."""
    if request.user.is_authenticated:
        return redirect("identity:add_child")
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not _code_attempts_left(request):
        form.is_valid()
        form.add_error("code", TOO_MANY_CODES)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_redeem_new_account(
                code=data["code"], username=data["username"], email=data["email"], password=data["password1"]
            )
        except ValidationError as error:
            _redeem_failed(request, form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready."))
            return redirect("home")
    return render(request, "identity/join.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def add_child(request: HttpRequest) -> HttpResponse:
    form = InvitationCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not _code_attempts_left(request):
        form.is_valid()
        form.add_error("code", TOO_MANY_CODES)
    elif request.method == "POST" and form.is_valid():
        if request.user.person_id is None:  # type: ignore[union-attr]
            form.add_error(None, _("This account is not set up for a person yet: ask the school."))
        else:
            try:
                link = services.invitation_redeem(actor=actor_for(request), user=request.user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
            except ValidationError as error:
                _redeem_failed(request, form, error)
            else:
                messages.success(request, _("%(name)s is now linked to your account.") % {"name": link.learner.person.full_name})
                return redirect("home")
    return render(request, "identity/add_child.html", {"form": form})


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    """Platform administrators: every account, its person and the roles in force."""
    actor = actor_for(request)
    if not actor.is_platform_admin:
        raise NotFound()
    term = request.GET.get("q", "").strip()
    users = visible(actor, User).select_related("person").order_by("username")
    if term:
        users = users.filter(Q(username__icontains=term) | Q(person__family_name__icontains=term) | Q(email__icontains=term))
    users = users.prefetch_related(
        Prefetch(
            "person__role_assignments",
            queryset=RoleAssignment.objects.filter(in_force(on=actor.on)).select_related("institution", "local_authority"),
            to_attr="roles_in_force",
        )
    )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "identity/accounts.html", {"page": page, "q": term})


@login_required
@require_http_methods(["GET", "POST"])
def role_grant(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    institutions = visible(actor, Institution, "change") if actor.is_platform_admin else visible(actor, Institution).filter(
        pk__in=sorted(actor.institutions_where("head", "leader"))
    )
    authorities = visible(actor, LocalAuthority) if actor.is_platform_admin else visible(actor, LocalAuthority).filter(
        pk__in=sorted(actor.authorities_where("la_officer"))
    )
    roles: set[str] = set()
    for inst in institutions:
        roles |= grantable_roles(actor, institution_id=inst.pk)
    for la in authorities:
        roles |= grantable_roles(actor, local_authority_id=la.pk)
    roles |= grantable_roles(actor)
    if not roles:
        raise NotFound()
    initial = {"institution": request.GET.get("institution")}
    form = RoleGrantForm(request.POST if request.method == "POST" else None, initial=initial, institutions=institutions.order_by("name"), authorities=authorities, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person_user = User.objects.filter(username=data["username"]).select_related("person").first()
        if person_user is None or person_user.person_id is None:
            form.add_error("username", _("No person has that username."))
        else:
            try:
                assignment = role_grant_service(
                    actor=actor,
                    person_id=person_user.person_id,
                    role=data["role"],
                    institution_id=data["institution"].pk if data["institution"] else None,
                    local_authority_id=data["local_authority"].pk if data["local_authority"] else None,
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
            except NotFound:
                form.add_error("role", _("You cannot give that role there."))
            except ValidationError as error:
                error.error_dict = {("username" if key == "person" else key): value for key, value in error.error_dict.items()}
                apply_service_errors(form, error)
            else:
                messages.success(request, _("%(role)s given to %(name)s.") % {"role": assignment.get_role_display(), "name": person_user.get_full_name()})
                return redirect("identity:role_grant")
    return render(request, "identity/role_grant.html", {"form": form})


@login_required
@require_POST
def role_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    assignment = get_for(actor, RoleAssignment, pk)
    role_end_service(actor=actor, assignment=assignment)
    messages.success(request, _("Role ended."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "identity:accounts" if actor.is_platform_admin else "home"
    return redirect(target)
