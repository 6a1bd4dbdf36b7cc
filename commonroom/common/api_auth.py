"""How API callers prove who they are.

Two ways, both accepted on every operation unless it says otherwise:

- ``TokenAuth``: ``Authorization: Bearer cr_...``, a personal access token (only its hash is
  stored). No CSRF check: a browser never sends that header cross-site on its own.
- ``SessionAuth``: the browser's signed-in session, with Django's CSRF check on unsafe methods.

Either way ``request.user`` is the caller's account afterwards, so ``actor_for(request)`` works.
A caller who is not signed in gets 401 (never a CSRF 403: there is nothing to protect).

Staff at an institution that requires a second factor must have set one up, as for the pages
(``identity.middleware``, which leaves /api/ to this module): until then both ways answer 401.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from commonroom.identity.middleware import second_factor_ok, second_factor_required
from commonroom.identity.services import token_authenticate


class TokenAuth(HttpBearer):
    """A personal access token in the Authorization header."""

    openapi_bearerFormat = "cr_<lookup>_<secret> (a personal access token)"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token.strip())
        if user is None:
            return None
        request.user = user
        if second_factor_required(request):
            return None
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser session. Unsafe methods must carry the CSRF token (header ``X-CSRFToken``)."""

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not second_factor_ok(request):  # the same rule, and the same few minutes' memory, as the pages
            return None
        return super().__call__(request)  # checks CSRF on unsafe methods, then authenticates


token_auth = TokenAuth()
session_auth = SessionAuth()

# Every operation: a token first (so a valid token wins over a stale session), then the session.
TOKEN_OR_SESSION = [token_auth, session_auth]
# Operations that must not be reachable with a token alone (a leaked token cannot mint new ones).
SESSION_ONLY = [session_auth]
