"""The "Unsigned contracts" panel of the studio dashboard: sent or viewed, waiting for the client's signature."""

from django.urls import reverse

from studios.dashboard import ORDER_HINTS, StudioPanel

from .models import Contract

WAITING = [Contract.Status.SENT, Contract.Status.VIEWED]


class UnsignedContractsPanel(StudioPanel):
    name = "unsigned_contracts"
    heading = "Unsigned contracts"
    order = ORDER_HINTS["unsigned_contracts"]
    template_name = "contracts/dashboard/unsigned_contracts.html"
    limit = 8

    def get_panel_context(self):
        waiting = Contract.objects.for_studio(self.studio).filter(status__in=WAITING)
        # Oldest first: the longest wait is the one to chase.
        contracts = list(waiting.select_related("client", "booking").order_by("sent_at", "created_at")[: self.limit])
        return {
            "contracts": contracts,
            "total": waiting.count() if len(contracts) == self.limit else len(contracts),
            "index_url": reverse("contracts:index"),
        }
