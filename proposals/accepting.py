"""The client's side of a proposal: viewing it, accepting it (the booking, and through `booking.created` its
contract and invoice, in one transaction) and declining it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from bookings.scheduling import book
from studios import events
from studios.errors import CONFLICT, GONE, INVALID

from .models import Proposal
from .sending import ProposalError, check_belongs


def mark_viewed(proposal: Proposal) -> Proposal:
    """The first view of a sent proposal; a conditional update, so two tabs record it once."""
    if proposal.status == Proposal.Status.SENT:
        now = timezone.now()
        if Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.SENT).update(
            status=Proposal.Status.VIEWED, viewed_at=now
        ):
            proposal.status, proposal.viewed_at = Proposal.Status.VIEWED, now
    return proposal


def _check_open(proposal: Proposal, now: datetime) -> None:
    if proposal.status == Proposal.Status.DECLINED:
        raise ProposalError("proposal_declined", "This proposal was declined. Ask the studio for a new one.", CONFLICT)
    if proposal.status == Proposal.Status.VOID:
        raise ProposalError("proposal_void", "The studio withdrew this proposal.", CONFLICT)
    if proposal.status == Proposal.Status.EXPIRED or (proposal.expires_at is not None and proposal.expires_at <= now):
        raise ProposalError("proposal_expired", "This proposal has expired. Ask the studio for a new one.", GONE)
    if proposal.status not in (Proposal.Status.SENT, Proposal.Status.VIEWED):
        raise ProposalError("proposal_closed", "This proposal can no longer be accepted.", CONFLICT)


def accept_proposal(proposal: Proposal, *, start: datetime | None = None, now: datetime | None = None) -> Proposal:
    """Book the proposed package (at the proposed time, or at `start` the client picked) for the proposal's client,
    in one transaction with the contract and invoice the booking brings (contracts' and billing's subscribers).

    Accepting an accepted proposal again returns it unchanged (a double click books once); the row lock makes
    two concurrent accepts take turns. A taken slot raises `slot_taken` and leaves the proposal open."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("studio", "client", "session_type", "contract_template", "sent_by")
            .get(pk=proposal.pk)
        )
        if proposal.status == Proposal.Status.ACCEPTED:
            return proposal
        _check_open(proposal, now)
        check_belongs(proposal)
        if proposal.start is None and start is None:
            raise ProposalError(
                "start_required", "Choose a time for your session.", INVALID, fields={"start": ["Choose a time."]}
            )
        when = proposal.start or start
        # A time the studio proposed is the photographer's booking (outside the weekly hours if they chose so);
        # a time the client picks follows the booking page's rules (hours, notice, horizon).
        studio_chose = proposal.start is not None
        booking = book(
            proposal.studio,
            proposal.session_type,
            when,
            client=proposal.client,
            now=now,
            by=proposal.sent_by if studio_chose else None,
            outside_hours=studio_chose and proposal.sent_by is not None,
            confirm_now=True,
            contract_template=proposal.contract_template,
        )
        proposal.status, proposal.accepted_at, proposal.booking = Proposal.Status.ACCEPTED, now, booking
        proposal.contract = booking.contracts.order_by("-version").first()
        proposal.invoice = booking.invoices.order_by("-pk").first()
        proposal.save(update_fields=["status", "accepted_at", "booking", "contract", "invoice"])
        events.publish(proposal.studio, "proposal.accepted", proposal)
    return proposal


@transaction.atomic
def decline_proposal(proposal: Proposal, *, now: datetime | None = None) -> Proposal:
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    if proposal.status == Proposal.Status.DECLINED:
        return proposal
    _check_open(proposal, now)
    proposal.status, proposal.declined_at = Proposal.Status.DECLINED, now
    proposal.save(update_fields=["status", "declined_at"])
    events.publish(proposal.studio, "proposal.declined", proposal)
    return proposal


def current_contract(proposal: Proposal):
    """The booking's contract as it is now (a re-issued version replaces the one accepting made), else None."""
    if proposal.booking_id is None:
        return None
    return proposal.booking.contracts.exclude(status="void").order_by("-version").first()


def next_step(proposal: Proposal, contract=None, invoice_summary=None) -> str:
    """Where the client is: `accept`, then `sign` (an unsigned contract), `pay` (the first payment, which holds
    the date; a later balance is the invoice's business), `done`; `closed` for a declined or expired proposal."""
    if proposal.is_open:
        return "accept"
    if proposal.status != Proposal.Status.ACCEPTED:
        return "closed"
    if contract is not None and contract.signed_at is None:
        return "sign"
    if invoice_summary and invoice_summary["status"] == "sent" and invoice_summary["next_payment"]:
        return "pay"
    return "done"
