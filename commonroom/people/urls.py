from django.urls import path

from commonroom.people import views

app_name = "people"
urlpatterns = [
    path("learners/", views.learner_list, name="learner_list"),
    path("learners/<int:pk>/", views.learner_detail, name="learner_detail"),
    path("learners/<int:pk>/access-log/", views.access_log, name="access_log"),
    path("learners/<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("learners/<int:pk>/contacts/<int:link_pk>/invite/", views.contact_invite, name="contact_invite"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("institutions/<int:pk>/learners/new/", views.learner_enrol, name="learner_enrol"),
]
