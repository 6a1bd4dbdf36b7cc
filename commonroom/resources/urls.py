from django.urls import path

from commonroom.resources import views

app_name = "resources"
urlpatterns = [
    path("resources/", views.search, name="search"),
    path("resources/new/", views.new, name="new"),
    path("resources/<int:pk>/", views.detail, name="detail"),
    path("resources/<int:pk>/edit/", views.edit, name="edit"),
    path("resources/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("resources/<int:pk>/file/", views.file, name="file"),
    path("resources/<int:pk>/rate/", views.rate, name="rate"),
    path("resources/<int:pk>/copy/", views.copy, name="copy"),
    path("course-sections/<int:pk>/items/new/", views.item_add, name="item_add"),
    path("course-items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("courses/<int:pk>/reuse/", views.reuse, name="reuse"),
]
