"""Domain events: how a lower app tells higher ones what happened without importing them
(docs/architecture.md, "Events and webhooks").

A service publishes a topic about an object: `publish(studio, "booking.created", booking, by=user)`.
Apps subscribe in their `AppConfig.ready()`: `subscribe("booking.created", handler, order=30)`; a handler
is called as `handler(studio, topic, obj, **context)`. `"*"` hears every topic (the webhooks do).

- In-transaction handlers (the default) run at once, inside the publisher's transaction: what they record
  commits or rolls back with it (a booking, its contract and its deposit invoice are one unit).
- `after_commit=True` handlers are dispatched with `transaction.on_commit`: outward effects (mail, HTTP)
  only once the data is committed, and never for a rolled-back transaction.

Handlers run by `order`, then by registration. The orders in use:
  10 crm timeline · 20 webhooks (frontend_api) · 30 contracts · 40 billing · 100 the default.

Topics are a closed list (`TOPICS`): subscribing to or publishing an unknown one raises `UnknownTopic`,
so a typo fails loudly instead of never being heard."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from itertools import count

from django.db import transaction

Handler = Callable[..., None]

ALL = "*"

TOPICS: dict[str, str] = {
    "inquiry.created": "A lead sent an inquiry (crm.inquiries).",
    "booking.created": "A session was booked (bookings.scheduling.book); context: by.",
    "booking.confirmed": "A booking was confirmed, at booking or later; context: by.",
    "booking.rescheduled": "A booking moved (bookings.scheduling.reschedule); context: by, previous_start, "
    "previous_end, note, by_client.",
    "booking.cancelled": "A booking was cancelled; context: by, reason, by_client, refund_deposit (the client's "
    "policy: True/False; None when the studio cancelled).",
    "booking.completed": "A session was marked completed (bookings.scheduling.complete); context: by.",
    "contract.sent": "A contract was issued to the client for signing (contracts.issuing); context: by.",
    "contract.signed": "The client signed a contract (contracts.signing).",
    "invoice.sent": "An invoice was sent to the client (billing.invoicing.send_invoice).",
    "invoice.paid": "An invoice became paid in full (billing.payments).",
    "gallery.published": "A client gallery was published (galleries.publishing).",
    "gallery.expiring": "A gallery closes in a few days (galleries.proofing's expiry reminders); context: days.",
    "selection.submitted": "A client submitted a proofing selection (galleries.proofing).",
    "client.stage_changed": "A client's lifecycle stage moved (crm.lifecycle); context: from_stage, to.",
    "workflow.webhook": "A workflow's 'call your webhook' step (workflows); the object is the WorkflowRun.",
    "workflow.run_failed": "A workflow run failed (workflows); the object is the WorkflowRun; context: step, error.",
    "proposal.sent": "A studio sent a client a proposal (proposals.sending); context: by.",
    "proposal.accepted": "A client accepted a proposal: booked, with its contract and invoice (proposals.accepting).",
    "proposal.declined": "A client declined a proposal (proposals.accepting).",
    "proposal.withdrawn": "The studio withdrew a proposal before it was accepted (proposals.sending.void_proposal).",
    "email.failed": "An e-mail gave up after its last attempt (studios.outbox); the object is the OutgoingEmail.",
    "email.suppressed": "An address bounced or complained (studios.suppression); the object is the EmailRecipient.",
    "email.unsubscribed": "An address unsubscribed from a studio's marketing e-mail; the object is the EmailRecipient.",
    "questionnaire.answered": "A client answered a questionnaire (crm.questionnaires); the object is the request.",
}


class UnknownTopic(ValueError):
    """A topic that is not in TOPICS."""


@dataclass(frozen=True)
class Subscription:
    topic: str
    handler: Handler
    after_commit: bool
    order: int
    sequence: int


_subscriptions: list[Subscription] = []
_sequence = count()


def _check(topic: str, *, wildcard: bool = False) -> None:
    if topic in TOPICS or (wildcard and topic == ALL):
        return
    raise UnknownTopic(f"unknown event topic {topic!r}; one of {', '.join(sorted(TOPICS))}")


def subscribe(topic: str, handler: Handler, *, after_commit: bool = False, order: int = 100) -> Handler:
    """Call `handler(studio, topic, obj, **context)` for each `topic` published ("*": every topic).
    Subscribing the same handler to the same topic again changes nothing."""
    _check(topic, wildcard=True)
    if not any(s.topic == topic and s.handler == handler for s in _subscriptions):
        _subscriptions.append(Subscription(topic, handler, after_commit, order, next(_sequence)))
    return handler


def unsubscribe(topic: str, handler: Handler) -> bool:
    """Stop calling `handler` for `topic`; returns whether it was subscribed."""
    _check(topic, wildcard=True)
    before = len(_subscriptions)
    _subscriptions[:] = [s for s in _subscriptions if not (s.topic == topic and s.handler == handler)]
    return len(_subscriptions) != before


def publish(studio, topic: str, obj, **context) -> None:
    """Tell the subscribers of `topic` (and of "*") that it happened to `obj`."""
    publish_together(studio, [topic], obj, **context)


def publish_together(studio, topics: Iterable[str], obj, **context) -> None:
    """One happening under several topics (a booking made already confirmed: booking.created and
    booking.confirmed). Every order level hears all the topics before the next level runs, so e.g. both
    webhooks are queued before the contract is issued."""
    topics = list(topics)
    for topic in topics:
        _check(topic)
    calls = sorted(
        (
            (s.order, position, s.sequence, s, topic)
            for position, topic in enumerate(topics)
            for s in _subscriptions
            if s.topic in (topic, ALL)
        ),
        key=lambda call: call[:3],
    )
    for *_, subscription, topic in calls:
        call = partial(subscription.handler, studio, topic, obj, **context)
        if subscription.after_commit:
            transaction.on_commit(call)
        else:
            call()
