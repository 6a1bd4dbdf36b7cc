from django.urls import path

from commonroom.interop import views

app_name = "interop"
urlpatterns = [
    path("institutions/<int:pk>/import/", views.csv_upload, name="csv_upload"),
]

# OneRoster exchange
from commonroom.interop import oneroster_views  # noqa: E402

urlpatterns += [
    path("institutions/<int:pk>/oneroster/", oneroster_views.oneroster_exchange, name="oneroster"),
]
