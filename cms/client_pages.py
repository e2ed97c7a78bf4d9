"""The client's pages on a studio's white-label site that e-mails link to by secret token (not Wagtail
pages): the contract (/contracts/<token>/: read, sign through static/site/contract.js and the client API,
download the PDF, then pay) and the invoice (/invoices/<token>/: lines, totals, the payment schedule, and
"Pay" straight into Stripe Checkout; works without JavaScript). config/urls.py routes them."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing.invoicing import (
    invoice_for_token,
    invoice_summary_for_booking,
    next_payment_amount,
    schedule_with_status,
    unsigned_contract_for,
)
from billing.models import Invoice
from contracts.models import Contract, contract_for_token
from contracts.signing import SigningError, mark_viewed

CHECKOUT_NOTICES = {
    "success": "Thank you! Your payment is being confirmed; this page shows it as paid in a moment.",
    "cancelled": "Payment cancelled — nothing was charged. You can pay whenever you’re ready.",
}


def client_link_missing(request, what: str):
    """A branded 404 for a contract or invoice link that is not this studio's (or no longer exists)."""
    return render(request, "cms/client_link_missing.html", {"what": what}, status=404)


def request_studio(request):
    studio = getattr(request, "studio", None)
    if studio is None:
        raise Http404
    return studio


# --- The contract page -------------------------------------------------------


@require_GET
def contract_page(request, token: str):
    contract = contract_for_token(request_studio(request), token)
    if contract is None:
        return client_link_missing(request, "contract")
    problem = None
    try:
        mark_viewed(contract)
    except SigningError as exc:  # the stored text no longer matches its hash: never offer it for signing
        problem = exc.message
    signatures = {signature.party: signature for signature in contract.signatures.all()}
    blocks = contract.signed_blocks(signatures)
    context = {
        "contract": contract,
        "blocks": blocks,
        "client_signature": signatures.get("client"),
        "can_sign": problem is None and contract.status in (Contract.Status.SENT, Contract.Status.VIEWED),
        "problem": problem,
        "invoice": invoice_summary_for_booking(contract.booking) if contract.is_signed else None,
    }
    return render(request, "contracts/contract_page.html", context)


# --- The invoice page --------------------------------------------------------


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
    invoice = invoice_for_token(request_studio(request), token)
    if invoice is None:
        return client_link_missing(request, "invoice")
    return render_invoice(request, invoice)
