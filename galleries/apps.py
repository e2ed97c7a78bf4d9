from django.apps import AppConfig


class GalleriesConfig(AppConfig):
    name = "galleries"
    verbose_name = "Client galleries"

    def ready(self):
        from . import photo_cache, publishing

        publishing.connect()
        photo_cache.connect()
