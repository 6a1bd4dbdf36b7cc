from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "commonroom.people"
    label = "people"
