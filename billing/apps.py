from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self):
        # Imported here: the subscribers import models, which only load once the app registry is ready.
        from . import subscribers

        subscribers.subscribe()
