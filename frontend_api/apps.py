from django.apps import AppConfig


class FrontendApiConfig(AppConfig):
    name = "frontend_api"
    verbose_name = "Headless API"

    def ready(self):
        from . import cors, openapi  # noqa: F401 - openapi registers the API-key scheme with drf-spectacular

        cors.connect()

        # Imported here: models (via webhooks) can only be imported once the app registry is ready.
        from studios import events

        from .webhooks import on_domain_event

        # After the CRM timeline (10), before contracts (30) and billing (40) react, as before the bus.
        events.subscribe("*", on_domain_event, order=20)
