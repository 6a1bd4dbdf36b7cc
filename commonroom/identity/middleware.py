"""Staff at an institution that requires a second factor must set one up before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from commonroom.authz.actor import actor_for
from commonroom.authz.models import INSTITUTION_ROLES

SESSION_FLAG = "commonroom_second_factor_ok"
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/api/")


def second_factor_required(request: HttpRequest) -> bool:
    from allauth.mfa.models import Authenticator

    from commonroom.organisations.models import Institution

    actor = actor_for(request)
    institutions = actor.institutions_where(*INSTITUTION_ROLES)
    if not institutions or not Institution.objects.filter(pk__in=institutions, require_staff_second_factor=True).exists():
        return False
    return not Authenticator.objects.filter(user_id=request.user.pk, type=Authenticator.Type.TOTP).exists()


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.session.get(SESSION_FLAG)
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            if second_factor_required(request):
                return redirect("mfa_activate_totp")
            request.session[SESSION_FLAG] = True
        return self.get_response(request)
