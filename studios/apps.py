from django.apps import AppConfig


class StudiosConfig(AppConfig):
    name = "studios"
    verbose_name = "Studios"

    def ready(self):
        # These patch Wagtail's admin views and models and connect signals: they need the app registry ready.
        from . import admin_scoping, rls, signals, site_roots

        admin_scoping.install()
        rls.install(self)
        site_roots.install()
        signals.connect()

        from anymail.signals import tracking  # the provider's bounce and complaint webhooks

        from .email_tracking import on_tracking  # its models need the app registry ready

        tracking.connect(on_tracking, dispatch_uid="studios.email_tracking")
