from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self):
        # Imported here: the engine imports models, which load only once the app registry is ready.
        from studios import events

        from . import engine

        # After the timeline (10), the webhooks (20), the contract (30) and the invoice (40): a run started by
        # booking.created sees the booking's contract and invoice.
        events.subscribe(events.ALL, engine.on_event, order=50)
