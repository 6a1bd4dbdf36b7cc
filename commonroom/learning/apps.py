from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "commonroom.learning"
    label = "learning"
    verbose_name = "Learning"
