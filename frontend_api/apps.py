from django.apps import AppConfig


class FrontendApiConfig(AppConfig):
    name = "frontend_api"
    verbose_name = "Headless API"

    def ready(self):
        from . import cors, openapi  # noqa: F401 - openapi registers the API-key scheme with drf-spectacular

        cors.connect()

        from studios import events

        from .webhooks import on_domain_event

        events.subscribe(on_domain_event)
