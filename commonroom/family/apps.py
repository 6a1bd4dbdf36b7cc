from django.apps import AppConfig


class FamilyConfig(AppConfig):
    name = "commonroom.family"
    label = "family"
    verbose_name = "Family"
