from django.apps import AppConfig


class GalleriesConfig(AppConfig):
    name = "galleries"
    verbose_name = "Client galleries"

    def ready(self):
        from . import publishing

        publishing.connect()
