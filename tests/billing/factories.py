"""Billing factories: invoices built through billing.invoicing, as the admin builds them."""

from billing.invoicing import Line, create_invoice, send_invoice
from tests.factories import ClientFactory


def invoice_for(studio, *lines: Line, client=None, send=True, **kwargs):
    client = client or ClientFactory(studio=studio)
    invoice = create_invoice(studio, client, list(lines) or [Line("Portrait session", 25_000)], **kwargs)
    if send:
        send_invoice(invoice, link=f"http://{studio.hostname}/invoices/{invoice.token}/")
    return invoice
