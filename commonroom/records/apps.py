from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "commonroom.records"
    label = "records"
    verbose_name = "Records"
