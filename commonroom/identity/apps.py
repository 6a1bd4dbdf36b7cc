from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "commonroom.identity"
    label = "identity"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_removed

        from commonroom.identity.middleware import forget_second_factor_check

        def on_removed(sender, request=None, **kwargs):  # type: ignore[no-untyped-def]
            if request is not None:
                forget_second_factor_check(request)

        authenticator_removed.connect(on_removed, dispatch_uid="commonroom-forget-second-factor-check")
