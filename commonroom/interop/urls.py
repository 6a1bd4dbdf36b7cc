from django.urls import path

from commonroom.interop import views

app_name = "interop"
urlpatterns = [
    path("institutions/<int:pk>/import/", views.csv_upload, name="csv_upload"),
    path("institutions/<int:pk>/ctf/import/", views.ctf_import, name="ctf_import"),
    path("institutions/<int:pk>/ctf/export/", views.ctf_export, name="ctf_export"),
]
