from django.urls import path

from commonroom.interop import views

app_name = "interop"
urlpatterns = [
    path("institutions/<int:pk>/import/", views.csv_upload, name="csv_upload"),
    path("institutions/<int:pk>/ctf/import/", views.ctf_import, name="ctf_import"),
    path("institutions/<int:pk>/ctf/export/", views.ctf_export, name="ctf_export"),
]

# OneRoster exchange
from commonroom.interop import oneroster_views  # noqa: E402

urlpatterns += [
    path("institutions/<int:pk>/oneroster/", oneroster_views.oneroster_exchange, name="oneroster"),
]
