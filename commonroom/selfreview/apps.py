from django.apps import AppConfig


class SelfreviewConfig(AppConfig):
    name = "commonroom.selfreview"
    label = "selfreview"
    verbose_name = "Self-review"
