from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "commonroom.quizzes"
    label = "quizzes"
    verbose_name = "Quizzes"
