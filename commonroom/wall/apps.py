from django.apps import AppConfig


class WallConfig(AppConfig):
    name = "commonroom.wall"
    label = "wall"
    verbose_name = "Question Wall"
