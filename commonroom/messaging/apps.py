from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "commonroom.messaging"
    label = "messaging"
    verbose_name = "Messaging"
