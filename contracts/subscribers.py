"""Contracts' subscriptions to domain events (registered in ContractsConfig.ready): a booking of a session
type with a contract template gets its contract, in the booking's transaction."""

from studios import events

from .issuing import issue_contract

# After the timeline (10) and the webhooks (20), before the deposit invoice (40).
ORDER = 30


def contract_for_new_booking(studio, topic, booking, *, by=None, **context) -> None:
    session_type = booking.session_type
    if session_type.contract_template_id:
        issue_contract(booking, session_type.contract_template, user=by)


def subscribe() -> None:
    events.subscribe("booking.created", contract_for_new_booking, order=ORDER)
