from django.urls import path

from commonroom.selfreview import views, views_charter, views_files

app_name = "selfreview"
urlpatterns = [
    path("self-review/", views.reviews, name="reviews"),
    path("self-review/frameworks/", views.frameworks, name="frameworks"),
    path("self-review/frameworks/<int:pk>/", views.framework, name="framework"),
    path("self-review/institutions/<int:pk>/start/", views.review_start, name="review_start"),
    path("self-review/reviews/<int:pk>/", views.review, name="review"),
    path("self-review/reviews/<int:pk>/assign/", views.review_assign, name="review_assign"),
    path("self-review/reviews/<int:pk>/aspects/<int:aspect_pk>/", views.aspect, name="aspect"),
    path("self-review/reviews/<int:pk>/complete/", views.review_complete, name="review_complete"),
    path("self-review/reviews/<int:pk>/result/", views.result, name="result"),
    path("self-review/reviews/<int:pk>/result.csv", views.result_csv, name="result_csv"),
    path("self-review/reviews/<int:pk>/result.pdf", views.result_pdf, name="result_pdf"),
    path("self-review/reviews/<int:pk>/aspects/<int:aspect_pk>/evidence/", views_charter.evidence_attach, name="evidence_attach"),
    path("self-review/reviews/<int:pk>/aspects/<int:aspect_pk>/evidence/remove/", views_charter.evidence_remove,
         name="evidence_remove"),
    path("self-review/reviews/<int:pk>/aspects/<int:aspect_pk>/files/", views_files.file_upload, name="evidence_file_upload"),
    path("self-review/evidence-files/<int:pk>/", views_files.file_download, name="evidence_file"),
    path("self-review/evidence-files/<int:pk>/remove/", views_files.file_remove, name="evidence_file_remove"),
    path("self-review/charter/", views_charter.charter_list, name="charter_list"),
    path("self-review/institutions/<int:pk>/charter/", views_charter.charter_page, name="charter"),
    path("self-review/institutions/<int:pk>/charter/history/", views_charter.charter_history, name="charter_history"),
    path("self-review/institutions/<int:pk>/charter/commit/", views_charter.charter_commit, name="charter_commit"),
    path("self-review/institutions/<int:pk>/charter/recognition/", views_charter.charter_request, name="charter_request"),
    path("self-review/institutions/<int:pk>/charter/confirm/", views_charter.charter_confirm, name="charter_confirm"),
    path("self-review/institutions/<int:pk>/charter/visit/", views_charter.charter_visit, name="charter_visit"),
]

from commonroom.selfreview.urls_plans import urlpatterns as _plans  # noqa: E402  (benchmarks, plans, authority view)

urlpatterns += _plans
