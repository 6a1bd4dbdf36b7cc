from django.urls import include, path

from commonroom.config.api import api

urlpatterns = [
    path("", include("commonroom.home.urls")),
    path("", include("commonroom.people.urls")),
    path("", include("commonroom.organisations.urls")),
    path("", include("commonroom.identity.urls")),
    path("", include("commonroom.records.urls")),
    path("", include("commonroom.interop.urls")),
    path("", include("commonroom.family.urls")),
    path("", include("commonroom.notifications.urls")),
    path("", include("commonroom.messaging.urls")),
    path("", include("commonroom.liaison.urls")),
    path("", include("commonroom.learning.urls")),
    path("", include("commonroom.quizzes.urls")),
    path("", include("commonroom.resources.urls")),
    path("", include("commonroom.selfreview.urls")),
    path("quizzes/qti/", include("commonroom.quizzes.qti_urls")),
    path("", include("commonroom.quizzes.practice_urls")),
    path("", include("commonroom.wall.urls")),
    path("", include("commonroom.calendar.urls")),
    path("", include("commonroom.safeguarding.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
]
