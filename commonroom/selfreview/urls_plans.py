"""URLs of benchmarks, action plans and the local-authority view (joined to ``urls.py``)."""

from django.urls import path

from commonroom.selfreview import views_plans

urlpatterns = [
    path("self-review/institutions/<int:pk>/benchmarks/", views_plans.benchmarks, name="benchmarks"),
    path("self-review/institutions/<int:pk>/benchmarks.csv", views_plans.benchmarks_csv, name="benchmarks_csv"),
    path("self-review/institutions/<int:pk>/plan/", views_plans.plan, name="plan"),
    path("self-review/reviews/<int:pk>/aspects/<int:aspect_pk>/actions/new/", views_plans.action_add, name="action_add"),
    path("self-review/actions/<int:pk>/", views_plans.action_edit, name="action_edit"),
    path("self-review/authorities/<int:pk>/", views_plans.authority, name="authority"),
    path("self-review/authorities/<int:pk>/institutions.csv", views_plans.authority_csv, name="authority_csv"),
    path("self-review/authorities/<int:pk>/targets.csv", views_plans.targets_csv, name="targets_csv"),
    path("self-review/authorities/<int:pk>/targets/new/", views_plans.target_add, name="target_add"),
    path("self-review/targets/<int:pk>/", views_plans.target_edit, name="target_edit"),
]
