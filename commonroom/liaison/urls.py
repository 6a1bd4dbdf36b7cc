from django.urls import path

from commonroom.liaison import views

app_name = "liaison"
urlpatterns: list = [
    path("children/<int:learner_id>/absence/", views.absence_report, name="absence_report"),
    path("children/<int:learner_id>/details/", views.child_details, name="child_details"),
    path("account/absence-reports/", views.my_absence_reports, name="my_absence_reports"),
    path("account/details/", views.my_details, name="my_details"),
    path("institutions/<int:pk>/absence-reports/", views.absence_queue, name="absence_queue"),
    path("institutions/<int:pk>/absence-reports/<int:report_pk>/", views.absence_decide, name="absence_decide"),
    path("institutions/<int:pk>/detail-changes/", views.detail_changes, name="detail_changes"),
    path("institutions/<int:pk>/detail-changes/<int:change_pk>/", views.detail_change_decide, name="detail_change_decide"),
    path("institutions/<int:pk>/parents/uptake/", views.uptake, name="uptake"),
    path("institutions/<int:pk>/parents/uptake.csv", views.uptake_csv, name="uptake_csv"),
]
