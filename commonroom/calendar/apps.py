from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "commonroom.calendar"
    label = "calendar"
    verbose_name = "Calendar"
