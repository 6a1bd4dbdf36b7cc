from django.urls import path

from commonroom.safeguarding import views

app_name = "safeguarding"
urlpatterns = [
    path("acceptable-use/", views.mine, name="acceptable_use"),
    path("acceptable-use/<int:pk>/", views.policy, name="acceptable_use_policy"),
    path("acceptable-use/<int:pk>/accept/", views.accept, name="acceptable_use_accept"),
    path("institutions/<int:pk>/acceptable-use/", views.manage, name="acceptable_use_manage"),
    path("institutions/<int:pk>/acceptable-use/<str:audience>/", views.audience, name="acceptable_use_audience"),
]
