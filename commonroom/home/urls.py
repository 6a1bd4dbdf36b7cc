from django.urls import path

from commonroom.home import views

urlpatterns = [path("", views.home, name="home")]
