from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "commonroom.notifications"
    label = "notifications"
    verbose_name = "Notifications"
