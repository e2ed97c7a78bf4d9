from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"

    def ready(self):
        # Imported here: the subscribers import models, which only load once the app registry is ready.
        from . import subscribers

        subscribers.subscribe()
