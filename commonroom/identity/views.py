"""Account pages: the user's own account and tokens, joining by invitation, and account management."""

from __future__ import annotations

import datetime

from allauth.account.forms import ResetPasswordForm
from allauth.core import ratelimit
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from commonroom.authz.actor import actor_for
from commonroom.authz.api import NotFound, get_for
from commonroom.authz.models import RoleAssignment
from commonroom.authz.services import role_end as role_end_service
from commonroom.authz.services import role_grant as role_grant_service
from commonroom.common.views import apply_service_errors
from commonroom.identity import selectors, services
from commonroom.identity.forms import AccountForm, InvitationCodeForm, JoinForm, RoleGrantForm, TokenForm
from commonroom.identity.models import PersonalAccessToken, User


@login_required
def account(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    return render(request, "identity/account.html", {"roles": selectors.own_roles(actor),
                                                     "cares_for_children": bool(actor.cared_for_learner_ids)})


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
    return render(
        request, "identity/tokens.html", {"form": form, "tokens": selectors.own_tokens(actor), "new_token": new_token}
    )


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
    page = Paginator(selectors.account_list(actor, term), 50).get_page(request.GET.get("page"))
    return render(request, "identity/accounts.html", {"page": page, "q": term})


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    """Platform administrators make staff and officer accounts; the owner sets a password by email."""
    actor = actor_for(request)
    if not actor.is_platform_admin:
        raise NotFound()
    form = AccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            reset = ResetPasswordForm({"email": user.email})
            if reset.is_valid():
                reset.save(request)
            messages.success(
                request,
                _("Account %(username)s made. %(email)s has been sent a link to set a password.")
                % {"username": user.username, "email": user.email},
            )
            return redirect("identity:accounts")
    return render(request, "identity/account_create.html", {"form": form})


@login_required
@require_POST
def account_active(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    user = get_for(actor, User, pk, action="change")
    try:
        services.account_set_active(actor=actor, user=user, active=request.POST.get("active") == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Account %(username)s updated.") % {"username": user.username})
    return redirect("identity:accounts")


@login_required
@require_http_methods(["GET", "POST"])
def role_grant(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    scopes = selectors.grant_scopes(actor)
    if not scopes.roles:
        raise NotFound()
    form = RoleGrantForm(
        request.POST if request.method == "POST" else None,
        initial={"institution": request.GET.get("institution")},
        institutions=scopes.institutions,
        authorities=scopes.authorities,
        roles=scopes.roles,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = selectors.grantee(actor, data["username"])
        if person is None:
            form.add_error("username", _("No adult with an active account has that username."))
        else:
            try:
                assignment = role_grant_service(
                    actor=actor,
                    person_id=person.pk,
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
                messages.success(
                    request,
                    _("%(role)s given to %(name)s.") % {"role": assignment.get_role_display(), "name": person.full_name},
                )
                return redirect("identity:role_grant")
    return render(request, "identity/role_grant.html", {"form": form})


@login_required
@require_POST
def role_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    assignment = get_for(actor, RoleAssignment, pk)
    try:
        role_end_service(actor=actor, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Role ended."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "identity:accounts" if actor.is_platform_admin else "home"
    return redirect(target)
