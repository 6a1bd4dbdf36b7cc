"""Staff at an institution that requires a second factor must set one up before anything else.

The answer is kept in the session for a few minutes, so turning the requirement on reaches
sessions that are already open within that time, and removing one's authenticator app
clears it at once (see ``identity.apps``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from commonroom.authz.actor import actor_for
from commonroom.authz.models import INSTITUTION_ROLES

SESSION_KEY = "commonroom_second_factor_checked_at"
RECHECK_SECONDS = 300
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/api/")


def second_factor_required(request: HttpRequest) -> bool:
    """Whether this signed-in user must set up an authenticator app before going on."""
    from allauth.mfa.models import Authenticator

    from commonroom.organisations.models import Institution

    actor = actor_for(request)
    institutions = actor.institutions_where(*INSTITUTION_ROLES)
    if not institutions or not Institution.objects.filter(pk__in=institutions, require_staff_second_factor=True).exists():
        return False
    return not Authenticator.objects.filter(user_id=request.user.pk, type=Authenticator.Type.TOTP).exists()


def forget_second_factor_check(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def second_factor_ok(request: HttpRequest) -> bool:
    """False when the user must first set up a second factor; the answer is kept for a few minutes."""
    if time.time() - request.session.get(SESSION_KEY, 0) <= RECHECK_SECONDS:
        return True
    if second_factor_required(request):
        forget_second_factor_check(request)
        return False
    request.session[SESSION_KEY] = time.time()
    return True


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not second_factor_ok(request)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
