from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "commonroom.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding and privacy"
