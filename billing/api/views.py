"""Client invoice endpoints: read by secret link, pay through Stripe Checkout."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from frontend_api.errors import ApiError

from ..invoicing import invoice_for_token
from ..models import Invoice
from ..payments import start_checkout
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
    def post(self, request, token):
        invoice = self.get_invoice()
        page = f"{request.scheme}://{request.get_host()}/invoices/{invoice.token}/"
        # 409 contract_unsigned / invoice_not_payable, 503 payment_provider_unavailable (frontend_api.errors).
        url = start_checkout(invoice, success_url=f"{page}?checkout=success", cancel_url=f"{page}?checkout=cancelled")
        return Response(CheckoutSerializer({"url": url}).data, status=status.HTTP_201_CREATED)
