from django.urls import path

from commonroom.interop import views

app_name = "interop"
urlpatterns = [
    path("institutions/<int:pk>/import/", views.csv_upload, name="csv_upload"),
]
