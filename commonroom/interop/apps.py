from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "commonroom.interop"
    label = "interop"
    verbose_name = "Data exchange"
