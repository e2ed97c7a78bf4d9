"""Contracts' subscriptions to domain events (registered in ContractsConfig.ready): a booking of a session
type with a contract template (or made from a proposal with one) gets its contract, in the booking's transaction."""

from studios import events

from .issuing import issue_contract, void_contract
from .models import Contract

# After the timeline (10) and the webhooks (20), before the deposit invoice (40).
ORDER = 30


def contract_for_new_booking(studio, topic, booking, *, by=None, contract_template=None, **context) -> None:
    """The template the booking was made with (a proposal's, `contract_template`), else its package's."""
    template = contract_template or booking.session_type.contract_template
    if template is not None:
        issue_contract(booking, template, user=by)


def void_unsigned_for_cancelled_booking(studio, topic, booking, *, by=None, **context) -> None:
    """A cancelled booking's contract that nobody signed yet is void (a signed one stays: signed never changes)."""
    unsigned = Contract.objects.for_studio(studio).filter(booking=booking, signed_at__isnull=True)
    for contract in unsigned.exclude(status=Contract.Status.VOID):
        void_contract(contract, user=by)


def subscribe() -> None:
    events.subscribe("booking.created", contract_for_new_booking, order=ORDER)
    events.subscribe("booking.cancelled", void_unsigned_for_cancelled_booking, order=ORDER)
