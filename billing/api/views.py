"""Client invoice endpoints: read by secret link, pay through Stripe Checkout; and the invoice page's
no-JavaScript "Pay" form, which shares the checkout endpoint's throttle (so it lives in the API layer)."""

from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from cms.client_pages import client_link_missing, render_invoice, request_studio
from frontend_api.errors import ApiError
from frontend_api.idempotency import idempotent

from ..invoicing import InvoiceError, invoice_for_token
from ..models import Invoice
from ..payments import start_checkout
from ..stripe_gateway import StripeUnavailable
from .serializers import CheckoutSerializer, ClientInvoiceSerializer


class ClientInvoiceMixin:
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    serializer_class = ClientInvoiceSerializer

    def get_invoice(self) -> Invoice:
        invoice = invoice_for_token(getattr(self.request, "studio", None), self.kwargs["token"])
        if invoice is None:
            raise ApiError(
                "not_found", "No invoice at this link. Check the link in your e-mail.", status.HTTP_404_NOT_FOUND
            )
        return invoice


class ClientInvoiceView(ClientInvoiceMixin, GenericAPIView):
    throttle_scope = "invoice"

    def get(self, request, token):
        return Response(self.get_serializer(self.get_invoice()).data)


class ClientInvoiceCheckoutView(ClientInvoiceMixin, GenericAPIView):
    throttle_scope = "invoice_checkout"

    @extend_schema(request=None, responses={201: CheckoutSerializer})
    @idempotent
    def post(self, request, token):
        invoice = self.get_invoice()
        page = f"{request.scheme}://{request.get_host()}/invoices/{invoice.token}/"
        # 409 contract_unsigned / invoice_not_payable, 503 payment_provider_unavailable (frontend_api.errors).
        url = start_checkout(invoice, success_url=f"{page}?checkout=success", cancel_url=f"{page}?checkout=cancelled")
        return Response(CheckoutSerializer({"url": url}).data, status=status.HTTP_201_CREATED)


class _CheckoutScope:
    throttle_scope = "invoice_checkout"  # the same budget as POST /api/client/invoices/{token}/checkout/


@require_POST
def invoice_pay(request, token: str):
    """Start (or resume) Stripe Checkout for the next payment due and send the client there."""
    invoice = invoice_for_token(request_studio(request), token)
    if invoice is None:
        return client_link_missing(request, "invoice")
    throttle = ScopedRateThrottle()
    if not throttle.allow_request(request, _CheckoutScope()):  # reads only request.user and META
        response = render_invoice(request, invoice, error="Too many attempts; please wait a minute.", status=429)
        response["Retry-After"] = str(int(throttle.wait() or 60))
        return response
    page = request.build_absolute_uri(f"/invoices/{invoice.token}/")
    try:
        url = start_checkout(invoice, success_url=f"{page}?checkout=success", cancel_url=f"{page}?checkout=cancelled")
    except InvoiceError as exc:  # paid already, void, contract to sign first, studio not connected to Stripe
        return render_invoice(request, invoice, error=str(exc), status=409)
    except StripeUnavailable:
        return render_invoice(
            request, invoice, error="Card payments are unavailable just now; please try again shortly.", status=503
        )
    return redirect(url)
