"""QTI import and export pages, under /quizzes/qti/."""

from django.urls import path

from commonroom.quizzes import qti_views

app_name = "qti"

urlpatterns = [
    path("import/", qti_views.qti_import_page, name="import"),
    path("export/", qti_views.qti_export_page, name="export"),
    path("quizzes/<int:pk>/export/", qti_views.qti_export_quiz_download, name="export_quiz"),
]
