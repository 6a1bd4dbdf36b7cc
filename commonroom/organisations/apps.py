from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "commonroom.organisations"
    label = "organisations"
