from django.apps import AppConfig


class StudiosConfig(AppConfig):
    name = "studios"
    verbose_name = "Studios"

    def ready(self):
        from . import admin_scoping, rls  # patches Wagtail's admin views, which need the app registry ready

        admin_scoping.install()
        rls.install(self)

        from anymail.signals import tracking  # the provider's bounce and complaint webhooks

        from .email_tracking import on_tracking  # its models need the app registry ready

        tracking.connect(on_tracking, dispatch_uid="studios.email_tracking")
