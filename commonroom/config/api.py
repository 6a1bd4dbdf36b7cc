"""The versioned API: /api/v1/, schema at /api/v1/openapi.json, docs at /api/v1/docs.

Every operation accepts a personal access token (``Authorization: Bearer cr_...``) or the
browser session (with CSRF on unsafe methods); see ``commonroom.common.api_auth``. Every read
goes through the authz layer, so missing and forbidden records both answer 404.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from commonroom.calendar.api import router as calendar_router
from commonroom.common.api_auth import TOKEN_OR_SESSION
from commonroom.family.api import router as family_router
from commonroom.identity.api import router as identity_router
from commonroom.interop.api import router as interop_router
from commonroom.learning.api import router as learning_router
from commonroom.learning.api_sections import router as sections_router
from commonroom.liaison.api import router as liaison_router
from commonroom.messaging.api import router as messaging_router
from commonroom.notifications.api import router as notifications_router
from commonroom.organisations.api import router as organisations_router
from commonroom.people.api import router as people_router
from commonroom.quizzes.api import router as quizzes_router
from commonroom.quizzes.practice_api import router as practice_router
from commonroom.quizzes.qti_api import router as qti_router
from commonroom.records.api import router as records_router
from commonroom.records.assessment_api import reports_router, sen_router
from commonroom.records.assessment_api import router as assessment_router
from commonroom.resources.api import router as resources_router
from commonroom.safeguarding.api import router as safeguarding_router
from commonroom.selfreview.api import router as selfreview_router
from commonroom.selfreview.api_charter import router as selfreview_charter_router
from commonroom.selfreview.api_files import router as selfreview_files_router
from commonroom.selfreview.api_plans import router as selfreview_plans_router
from commonroom.wall.api import router as wall_router


class OfflineSwagger(DocsBase):
    """Swagger UI from our own static files (commonroom/static/swagger/), no CDN and no inline script.

    The page runs under the site's Content-Security-Policy (script-src 'self', style-src 'self').
    """

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(request, self.template, {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)})


api = NinjaAPI(
    title="Commonroom API",
    version="1",
    description=(
        "Read access to institutions, groups and learners, scoped exactly as the pages are, and management of "
        "your own personal access tokens. Authenticate with `Authorization: Bearer cr_...` or a signed-in session."
    ),
    urls_namespace="api-1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=OfflineSwagger(),
    auth=TOKEN_OR_SESSION,
)


@api.exception_handler(DjangoValidationError)
def validation_error(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
    """A service refused the input: answer 422 in ninja's own shape for invalid input."""
    if hasattr(error, "error_dict"):
        detail = [
            {"type": "value_error", "loc": ["body", "payload", field], "msg": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        detail = [{"type": "value_error", "loc": ["body", "payload"], "msg": message} for message in error.messages]
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("", identity_router)
api.add_router("", organisations_router)
api.add_router("", people_router)
api.add_router("", records_router)
api.add_router("", assessment_router)
api.add_router("", sen_router)
api.add_router("", reports_router)
api.add_router("", interop_router)
api.add_router("", family_router)
api.add_router("", notifications_router)
api.add_router("", messaging_router)
api.add_router("", liaison_router)
api.add_router("", learning_router)
api.add_router("", sections_router)
api.add_router("", quizzes_router)
api.add_router("", resources_router)
api.add_router("", selfreview_router)
api.add_router("", qti_router)
api.add_router("", practice_router)
api.add_router("", wall_router)
api.add_router("", calendar_router)
api.add_router("", selfreview_plans_router)
api.add_router("", selfreview_charter_router)
api.add_router("", selfreview_files_router)
api.add_router("", safeguarding_router)
