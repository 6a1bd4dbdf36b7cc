from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "commonroom.liaison"
    label = "liaison"
    verbose_name = "Liaison"
