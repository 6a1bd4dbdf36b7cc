from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "commonroom.identity"
    label = "identity"
