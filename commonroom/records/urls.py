from django.urls import path, register_converter

from commonroom.records import assessment_views, report_views, sen_views, views


class DateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str):  # type: ignore[no-untyped-def]
        import datetime

        try:
            return datetime.date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(value) from error

    def to_url(self, value) -> str:  # type: ignore[no-untyped-def]
        return value if isinstance(value, str) else value.isoformat()


register_converter(DateConverter, "isodate")

app_name = "records"
urlpatterns = [
    path("registers/", views.registers, name="registers"),
    path("groups/<int:pk>/register/<isodate:day>/<str:session>/", views.register_take, name="register"),
    path("groups/<int:pk>/attendance/", views.group_attendance, name="group_attendance"),
    path("attendance/marks/<int:pk>/", views.mark_detail, name="mark_detail"),
    path("learners/<int:pk>/attendance/", views.learner_attendance, name="learner_attendance"),
    path("learners/<int:pk>/attendance/planned/", views.planned_absence, name="planned_absence"),
    path("institutions/<int:pk>/attendance/", views.institution_attendance, name="institution_attendance"),
    path("institutions/<int:pk>/attendance/absentees/", views.absentees, name="absentees"),
    path("institutions/<int:pk>/attendance/outstanding/", views.outstanding, name="outstanding"),
    path("institutions/<int:pk>/attendance/closure/", views.closure, name="closure"),
]

urlpatterns += [
    path("behaviour/", views.behaviour_home, name="behaviour"),
    path("behaviour/incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("groups/<int:pk>/behaviour/incident/", views.incident_new, name="incident_new"),
    path("groups/<int:pk>/behaviour/reward/", views.reward_new, name="reward_new"),
    path("learners/<int:pk>/behaviour/", views.learner_behaviour, name="learner_behaviour"),
    path("institutions/<int:pk>/behaviour/", views.institution_behaviour, name="institution_behaviour"),
    path("institutions/<int:pk>/behaviour/settings/", views.behaviour_settings, name="behaviour_settings"),
]

urlpatterns += [
    path("timetable/", views.my_timetable, name="my_timetable"),
    path("lessons/<int:pk>/<isodate:day>/", views.lesson_register, name="lesson_register"),
    path("institutions/<int:pk>/timetable/", views.institution_timetable, name="institution_timetable"),
    path("institutions/<int:pk>/timetable/slots/<int:slot_pk>/remove/", views.slot_remove, name="slot_remove"),
    path("institutions/<int:pk>/school-week/", views.school_week, name="school_week"),
    path("institutions/<int:pk>/attendance/missing/", views.missing_from_lessons, name="missing_from_lessons"),
]

urlpatterns += [
    path("assessment/", assessment_views.assessment_home, name="assessment"),
    path("institutions/<int:pk>/assessment/", assessment_views.assessment_setup, name="assessment_setup"),
    path("institutions/<int:pk>/assessment/points/<int:point_pk>/", assessment_views.point_state, name="point_state"),
    path("institutions/<int:pk>/assessment/points/<int:point_pk>/edit/", assessment_views.point_edit, name="point_edit"),
    path("institutions/<int:pk>/assessment/aspects/<int:aspect_pk>/", assessment_views.aspect_visibility,
         name="aspect_visibility"),
    path("institutions/<int:pk>/progress/", assessment_views.institution_progress, name="institution_progress"),
    path("groups/<int:pk>/marksheet/<int:point_pk>/", assessment_views.marksheet, name="marksheet"),
    path("groups/<int:pk>/progress/", assessment_views.group_progress, name="group_progress"),
    path("learners/<int:pk>/progress/", assessment_views.learner_progress, name="learner_progress"),
    path("assessment/points/<int:pk>/grades.<str:fmt>", assessment_views.export_results, name="export_results"),
]

urlpatterns += [
    path("learners/<int:pk>/sen/", sen_views.learner_sen, name="learner_sen"),
    path("learners/<int:pk>/sen/<int:institution_pk>/", sen_views.sen_record_edit, name="sen_record_edit"),
    path("sen/records/<int:pk>/provision/", sen_views.sen_provision_add, name="sen_provision_add"),
    path("sen/records/<int:pk>/review/", sen_views.sen_review, name="sen_review"),
    path("institutions/<int:pk>/sen/", sen_views.sen_register, name="sen_register"),
]

urlpatterns += [
    path("reports/", report_views.reports_home, name="reports"),
    path("institutions/<int:pk>/reports/", report_views.report_cycles, name="report_cycles"),
    path("reports/cycles/<int:pk>/", report_views.report_cycle, name="report_cycle"),
    path("reports/cycles/<int:pk>/groups/<int:group_pk>/", report_views.report_writing, name="report_writing"),
    path("reports/cycles/<int:pk>/proofread/", report_views.report_proofread, name="report_proofread"),
    path("reports/cycles/<int:pk>/learners/<int:learner_pk>/", report_views.report_preview, name="report_preview"),
    path("reports/runs/<int:pk>/file/", report_views.report_run_file, name="report_run_file"),
    path("reports/<int:pk>/", report_views.published_report, name="published_report"),
    path("learners/<int:pk>/reports/", report_views.learner_reports, name="learner_reports"),
]
