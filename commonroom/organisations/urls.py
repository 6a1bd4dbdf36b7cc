from django.urls import path

from commonroom.organisations import views

app_name = "organisations"
urlpatterns = [
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("institutions/<int:pk>/settings/", views.institution_settings, name="institution_settings"),
    path("manage/", views.manage, name="manage"),
    path("manage/authorities/new/", views.authority_create, name="authority_create"),
    path("manage/institutions/new/", views.institution_create, name="institution_create"),
]
