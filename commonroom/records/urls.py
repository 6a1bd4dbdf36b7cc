from django.urls import path, register_converter

from commonroom.records import views


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
