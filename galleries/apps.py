from django.apps import AppConfig


class GalleriesConfig(AppConfig):
    name = "galleries"
    verbose_name = "Client galleries"

    def ready(self):
        # These modules import models, which needs the app registry ready.
        from billing.limits import register_usage_counter

        from . import archives, photo_cache, pixels, publishing, quota

        pixels.connect()
        publishing.connect()
        photo_cache.connect()
        archives.connect()
        register_usage_counter("storage_bytes", quota.measured_storage_bytes)
        register_usage_counter("active_galleries", quota.active_galleries)
