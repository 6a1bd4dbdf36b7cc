from django.urls import path

from commonroom.calendar import views

app_name = "calendar"
urlpatterns = [
    path("calendar/week/", views.week, name="week"),
]
