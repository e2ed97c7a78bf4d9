"""Sending, voiding and refunding one of the studio's invoices; another studio's is a 404."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from studios.money import to_minor

from .. import payments
from ..invoicing import InvoiceError, invoice_link, send_invoice, void_invoice
from ..models import Invoice
from ..stripe_gateway import StripeUnavailable
from .base import StudioAdminView, TitledBreadcrumbsMixin


class InvoiceActionView(StudioAdminView):
    def invoice(self, pk) -> Invoice:
        return get_object_or_404(Invoice.objects.for_studio(self.studio).select_related("client"), pk=pk)

    def back(self, invoice):
        return redirect("billing_invoice:inspect", invoice.pk)


class SendInvoiceView(InvoiceActionView):
    def post(self, request, pk):
        invoice = self.invoice(pk)
        try:
            send_invoice(invoice, link=invoice_link(invoice))
            messages.success(request, f"Invoice {invoice.number} sent to {invoice.client.email}.")
        except InvoiceError as exc:
            messages.error(request, str(exc))
        return self.back(invoice)


class VoidInvoiceView(InvoiceActionView):
    def post(self, request, pk):
        invoice = self.invoice(pk)
        try:
            void_invoice(invoice)
            messages.success(request, f"Invoice {invoice.number} is void.")
        except InvoiceError as exc:
            messages.error(request, str(exc))
        return self.back(invoice)


class RefundInvoiceView(InvoiceActionView, TitledBreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Refund"
    header_icon = "undo"
    template_name = "billing/admin/refund.html"

    def get(self, request, pk):
        return self.render_to_response(self.get_context_data(invoice=self.invoice(pk)))

    def post(self, request, pk):
        invoice = self.invoice(pk)
        try:
            amount = parse_amount(request.POST.get("amount", ""), invoice.currency)
            refunds = payments.refund_invoice(invoice, amount, user=request.user, reason=request.POST.get("reason", ""))
        except (InvoiceError, StripeUnavailable) as exc:
            return self.render_to_response(self.get_context_data(invoice=invoice, error=str(exc)), status=400)
        messages.success(
            request, f"Refunded {amount / 100:.2f} {invoice.currency.upper()} in {len(refunds)} refund(s)."
        )
        return self.back(invoice)


def parse_amount(text: str, currency: str) -> int:
    """'120.50', 'gbp' → 12050 minor units; '5000', 'jpy' → 5000; without floats."""
    try:
        value = Decimal(text.strip().replace(",", ""))
        return to_minor(value, currency)
    except InvalidOperation as exc:
        raise InvoiceError("Enter the amount as a number, e.g. 120.50.") from exc
    except ValueError as exc:
        raise InvoiceError(str(exc)) from exc
