from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "commonroom.resources"
    label = "resources"
    verbose_name = "Shared resources"
