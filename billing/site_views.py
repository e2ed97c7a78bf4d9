"""The invoice page on the studio's site (/invoices/<token>/, the link in the client's e-mail): lines,
totals, the payment schedule, and "Pay" straight into Stripe Checkout. Works without JavaScript."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from rest_framework.throttling import ScopedRateThrottle

from contracts.views import client_link_missing

from .invoicing import InvoiceError, next_payment_amount, schedule_with_status, unsigned_contract_for
from .models import Invoice
from .payments import start_checkout
from .stripe_gateway import StripeUnavailable

CHECKOUT_NOTICES = {
    "success": "Thank you! Your payment is being confirmed; this page shows it as paid in a moment.",
    "cancelled": "Payment cancelled — nothing was charged. You can pay whenever you’re ready.",
}


def client_invoice(request, token: str) -> Invoice | None:
    studio = getattr(request, "studio", None)
    if studio is None:
        raise Http404
    return (
        Invoice.objects.for_studio(studio)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("studio", "client", "booking__session_type")
        .prefetch_related("lines", "installments")
        .filter(token=token)
        .first()
    )


def render_invoice(request, invoice: Invoice, *, error: str = "", status: int = 200):
    contract = unsigned_contract_for(invoice) if invoice.is_open else None
    context = {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        "schedule": schedule_with_status(invoice),
        "next_payment": next_payment_amount(invoice) if invoice.is_open else None,
        "contract_to_sign": contract,
        # Back from Stripe: the webhook, not this redirect, marks it paid (the status line then says so).
        "notice": CHECKOUT_NOTICES.get(request.GET.get("checkout", ""), "") if invoice.is_open else "",
        "error": error,
    }
    return render(request, "billing/invoice_page.html", context, status=status)


@require_GET
def invoice_page(request, token: str):
    invoice = client_invoice(request, token)
    if invoice is None:
        return client_link_missing(request, "invoice")
    return render_invoice(request, invoice)


class _CheckoutScope:
    throttle_scope = "invoice_checkout"  # the same budget as POST /api/client/invoices/{token}/checkout/


@require_POST
def invoice_pay(request, token: str):
    """Start (or resume) Stripe Checkout for the next payment due and send the client there."""
    invoice = client_invoice(request, token)
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
