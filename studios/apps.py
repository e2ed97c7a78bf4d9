from django.apps import AppConfig


class StudiosConfig(AppConfig):
    name = "studios"
    verbose_name = "Studios"

    def ready(self):
        from . import admin_scoping, rls  # patches Wagtail's admin views, which need the app registry ready

        admin_scoping.install()
        rls.install(self)
