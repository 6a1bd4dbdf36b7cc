from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "commonroom.home"
    label = "home"
