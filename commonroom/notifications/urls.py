from django.urls import path

from commonroom.notifications import views

app_name = "notifications"
urlpatterns = [
    path("account/alerts/", views.my_alerts, name="my_alerts"),
    path("institutions/<int:pk>/alerts/", views.school_settings, name="school_settings"),
    path("institutions/<int:pk>/alerts/undelivered/", views.undelivered, name="undelivered"),
    path("institutions/<int:pk>/alerts/undelivered/<int:delivery_pk>/retry/", views.retry, name="retry"),
]
