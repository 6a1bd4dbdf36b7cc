from django.urls import path

from commonroom.wall import views

app_name = "wall"
urlpatterns = [
    path("courses/<int:pk>/wall/", views.space, name="space"),
    path("courses/<int:pk>/wall/reports/", views.space_reports, name="space_reports"),
    path("wall/threads/<int:pk>/", views.thread, name="thread"),
    path("wall/threads/<int:pk>/moderate/", views.thread_moderate, name="thread_moderate"),
    path("wall/posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("wall/posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("wall/posts/<int:pk>/moderate/", views.post_moderate, name="post_moderate"),
    path("wall/posts/<int:pk>/hide/", views.post_hide, name="post_hide"),
    path("wall/posts/<int:pk>/report/", views.post_report, name="post_report"),
    path("wall/reports/", views.reports, name="reports"),
    path("wall/reports/<int:pk>/resolve/", views.report_resolve, name="report_resolve"),
    path("institutions/<int:pk>/wall/settings/", views.wall_settings, name="settings"),
]
