"""The client's pages on a studio's white-label site that e-mails link to by secret token (not Wagtail
pages): the contract (/contracts/<token>/: read, sign through static/site/contract.js and the client API,
download the PDF, then pay), the invoice (/invoices/<token>/: lines, totals, the payment schedule, and
"Pay" straight into Stripe Checkout; works without JavaScript) and the proposal (/proposals/<token>/: accept,
then sign and pay on the same page). config/urls.py routes them."""

from datetime import datetime, timedelta

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from billing.invoicing import (
    invoice_for_token,
    invoice_summary_for_booking,
    next_payment_amount,
    schedule_with_status,
    unsigned_contract_for,
)
from billing.models import Invoice
from bookings.availability import free_slots
from contracts.models import Contract, contract_for_token
from contracts.signing import SigningError, mark_viewed
from proposals import accepting
from proposals.models import Proposal, proposal_for_token
from studios.errors import DomainError

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


# --- The proposal page -------------------------------------------------------

# How far ahead a proposal that leaves the time to the client offers slots, and how many at most.
PROPOSAL_SLOT_DAYS = 42
PROPOSAL_SLOT_LIMIT = 80


def _offered_slots(proposal: Proposal) -> list:
    if not proposal.client_picks_time or not proposal.is_open:
        return []
    now = timezone.now()
    return free_slots(proposal.studio, proposal.session_type, now, now + timedelta(days=PROPOSAL_SLOT_DAYS))[
        :PROPOSAL_SLOT_LIMIT
    ]


def _picked_start(value: str) -> datetime | None:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


def render_proposal(request, proposal: Proposal, *, error: str = "", status: int = 200):
    contract = accepting.current_contract(proposal)
    invoice = invoice_summary_for_booking(proposal.booking) if proposal.booking_id else None
    step = accepting.next_step(proposal, contract, invoice)
    signing = (
        step == "sign" and contract is not None and contract.status in (Contract.Status.SENT, Contract.Status.VIEWED)
    )
    if signing:
        try:
            mark_viewed(contract)
        except SigningError as exc:
            error, signing = exc.message, False
    context = {
        "proposal": proposal,
        "step": step,
        "contract": contract,
        "blocks": contract.signed_blocks() if signing else [],
        "signing": signing,
        "invoice": invoice,
        "slots": _offered_slots(proposal),
        "error": error,
    }
    return render(request, "proposals/proposal_page.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def proposal_page(request, token: str):
    """GET shows the proposal at the client's step; POST accepts (with the slot picked) or declines, then shows
    the next step (sign, pay). The same services as the client API (proposals.accepting)."""
    proposal = proposal_for_token(request_studio(request), token)
    if proposal is None:
        return client_link_missing(request, "proposal")
    if request.method != "POST":
        return render_proposal(request, accepting.mark_viewed(proposal))
    try:
        if request.POST.get("action") == "decline":
            accepting.decline_proposal(proposal)
        else:
            start = None
            if proposal.client_picks_time:
                start = _picked_start(request.POST.get("start", ""))
                if start is None:
                    return render_proposal(request, proposal, error="Choose a time for your session.", status=400)
            accepting.accept_proposal(proposal, start=start)
    except DomainError as exc:
        proposal = proposal_for_token(request_studio(request), token)
        return render_proposal(
            request, proposal, error=exc.message, status={"conflict": 409, "gone": 410}.get(exc.kind, 400)
        )
    return redirect(f"/proposals/{proposal.token}/")
