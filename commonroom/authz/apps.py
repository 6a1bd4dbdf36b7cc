from django.apps import AppConfig


class AuthzConfig(AppConfig):
    name = "commonroom.authz"
    label = "authz"

    def ready(self) -> None:
        # Every app's rules register themselves when its policies module is imported.
        from commonroom.authz.registry import load_all_policies

        load_all_policies()
