from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "commonroom.common"
    label = "common"
