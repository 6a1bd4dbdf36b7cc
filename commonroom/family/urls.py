from django.urls import path

from commonroom.family import views

app_name = "family"
urlpatterns = [
    path("children/", views.children, name="children"),
    path("children/<int:learner_id>/", views.child, name="child"),
    path("institutions/<int:pk>/events/", views.events, name="events"),
    path("institutions/<int:pk>/events/new/", views.event_add, name="event_add"),
    path("institutions/<int:pk>/events/<int:event_pk>/", views.event_edit, name="event_edit"),
    path("institutions/<int:pk>/events/<int:event_pk>/delete/", views.event_delete, name="event_delete"),
    path("institutions/<int:pk>/contact-details/", views.school_contact, name="school_contact"),
    path("account/calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
