from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Studios"

    def ready(self):
        from . import admin_scoping

        admin_scoping.install()
