from django.apps import AppConfig


class StudiosConfig(AppConfig):
    name = "studios"
    verbose_name = "Studios"

    def ready(self):
        from . import admin_scoping

        admin_scoping.install()
