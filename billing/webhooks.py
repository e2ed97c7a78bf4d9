"""Stripe webhooks: verify and store each event once (the ledger), then apply it in a Celery task.

The ledger row is committed before Stripe hears 200; applying it is at-least-once (the task queued after commit,
then `retry_due_stripe_events` on beat for what that missed or what failed, with back-off, until the event is
dead-lettered after STRIPE_EVENT_MAX_ATTEMPTS) and its effects exactly-once (the row lock and its status).

Handlers are idempotent and order-tolerant: subscription and account snapshots older than the last
applied one are skipped, and a payment succeeds once whichever of `checkout.session.completed` or
`payment_intent.succeeded` arrives first."""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from studios.background import retry_delay

from . import stripe_gateway
from .connect import apply_account_snapshot
from .models import ConnectedAccount, Payment, Plan, StripeEvent, StudioSubscription
from .payments import PaymentRefused, locked_payment, mark_expired, record_succeeded, sync_refunds
from .subscriptions import apply_subscription_snapshot, from_timestamp, locked_subscription

logger = logging.getLogger(__name__)


class InvalidEvent(ValueError):
    """A correctly signed event the ledger cannot hold (an id, type or account too long, an impossible time)."""


def _created(value) -> datetime:
    try:
        return datetime.fromtimestamp(int(value or 0), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise InvalidEvent(f"created is not a time: {str(value)[:40]!r}") from None


def _check_fits(event_id, fields: dict) -> None:
    """Refuse, before the insert, what the ledger's columns cannot hold (PostgreSQL would raise a DataError)."""
    if not isinstance(event_id, str) or not event_id:
        raise InvalidEvent("the event has no id")
    for name, value in {"event_id": event_id, "type": fields["type"], "account": fields["account"]}.items():
        limit = StripeEvent._meta.get_field(name).max_length
        if not isinstance(value, str) or len(value) > limit:
            raise InvalidEvent(f"{name} is not text of at most {limit} characters")


def record_event(payload: bytes, signature: str | None) -> tuple[StripeEvent, bool]:
    """Verify the signature (raises on a bad, missing or stale one) and store the event once by its id."""
    try:
        event = stripe_gateway.verify_webhook(payload, signature)
    except RecursionError:  # the signature checks out, but the JSON nests deeper than the parser goes
        raise InvalidEvent("the payload is nested too deeply") from None
    defaults = {
        "type": event.get("type", ""),
        "account": event.get("account") or "",
        "livemode": bool(event.get("livemode")),
        "created": _created(event.get("created")),
        "payload": event,
    }
    _check_fits(event.get("id"), defaults)
    try:
        with transaction.atomic():
            return StripeEvent.objects.get_or_create(event_id=event["id"], defaults=defaults)
    except IntegrityError:  # the same event delivered twice at once
        return StripeEvent.objects.get(event_id=event["id"]), False


# Final: applying such an event again changes nothing.
DONE = (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED, StripeEvent.Status.REFUSED)
# Worth queueing again when Stripe redelivers it.
UNFINISHED = (StripeEvent.Status.RECEIVED, StripeEvent.Status.FAILED, StripeEvent.Status.DEAD)


def process_event(event_pk: int) -> str:
    """Apply a stored event exactly once; returns its final status. Raises on a transient failure.

    The row lock serialises concurrent runs (Stripe's retry, the sweeper, a redelivered message): the first
    applies it, the others wait and find it done."""
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if row.status in DONE:
            return row.status
        row.attempts += 1
        handler = HANDLERS.get(row.type)
        if handler is None:
            row.status = StripeEvent.Status.IGNORED
        else:
            try:
                with transaction.atomic():
                    handler(row.payload["data"]["object"], row)
                row.status = StripeEvent.Status.PROCESSED
            except PaymentRefused as exc:
                logger.warning("Refused Stripe event %s (%s): %s", row.event_id, row.type, exc)
                row.status, row.error = StripeEvent.Status.REFUSED, str(exc)
        row.processed_at = timezone.now()
        row.next_attempt_at = None
        row.save()
        return row.status


def record_failure(event_pk: int, error: str) -> str | None:
    """Count the failed attempt (its own transaction rolled back) and schedule the next, or dead-letter it."""
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().filter(pk=event_pk).exclude(status__in=DONE).first()
        if row is None:
            return None
        row.attempts += 1
        row.error = error[:2000]
        if row.attempts >= settings.STRIPE_EVENT_MAX_ATTEMPTS:
            logger.error("Stripe event %s (%s) dead-lettered after %s attempts", row.event_id, row.type, row.attempts)
            row.status, row.next_attempt_at = StripeEvent.Status.DEAD, None
        else:
            row.status = StripeEvent.Status.FAILED
            row.next_attempt_at = timezone.now() + retry_delay(
                row.attempts,
                base_seconds=settings.STRIPE_EVENT_RETRY_SECONDS,
                max_seconds=settings.STRIPE_EVENT_RETRY_MAX_SECONDS,
            )
        row.save(update_fields=["attempts", "error", "status", "next_attempt_at"])
        return row.status


def claim_due_events(now: datetime | None = None, limit: int = 500) -> list[int]:
    """The sweeper's share: events never applied (their message lost, their worker killed) a while after they
    arrived, and failed ones whose retry time has come. Each is pushed back by the sweep delay, so the next
    sweep does not queue it again while it waits in the queue."""
    now = now or timezone.now()
    sweep_after = timedelta(seconds=settings.STRIPE_EVENT_SWEEP_AFTER_SECONDS)
    due = Q(status__in=[StripeEvent.Status.RECEIVED, StripeEvent.Status.FAILED]) & (
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, received_at__lte=now - sweep_after)
    )
    with transaction.atomic():
        ids = list(
            StripeEvent.objects.select_for_update(skip_locked=True)
            .filter(due)
            .order_by("received_at")
            .values_list("pk", flat=True)[:limit]
        )
        StripeEvent.objects.filter(pk__in=ids).update(next_attempt_at=now + sweep_after)
    return ids


def retry_now(event: StripeEvent) -> None:
    """Platform staff's "retry": a dead-lettered or failed event gets a new series of attempts."""
    StripeEvent.objects.filter(pk=event.pk, status__in=UNFINISHED).update(
        status=StripeEvent.Status.RECEIVED, attempts=0, next_attempt_at=timezone.now(), error=""
    )


# --- Handlers: (the event's data.object, the ledger row) ------------------------------


def on_checkout_completed(session: dict, event: StripeEvent) -> None:
    if session.get("mode") == "subscription":
        _subscription_checkout_completed(session, event)
        return
    payment = locked_payment(session.get("metadata") or {}, event.account)
    if session.get("payment_status") == "paid":
        record_succeeded(
            payment,
            payment_intent_id=session.get("payment_intent") or "",
            amount=int(session.get("amount_total") or 0),
            currency=session.get("currency") or "",
        )


def on_checkout_expired(session: dict, event: StripeEvent) -> None:
    if session.get("mode") == "payment":
        mark_expired(locked_payment(session.get("metadata") or {}, event.account))


def on_payment_intent_succeeded(intent: dict, event: StripeEvent) -> None:
    metadata = intent.get("metadata") or {}
    if "payment_id" not in metadata:
        return  # not a client invoice payment (e.g. a subscription's own payment)
    payment = locked_payment(metadata, event.account)
    record_succeeded(
        payment,
        payment_intent_id=intent["id"],
        amount=int(intent.get("amount_received") or intent.get("amount") or 0),
        currency=intent.get("currency") or "",
    )


def on_charge_refunded(charge: dict, event: StripeEvent) -> None:
    metadata = charge.get("metadata") or {}
    if "payment_id" not in metadata:
        # Charges made by Checkout carry the PaymentIntent's metadata only on the intent. The connected account the
        # event came from names the studio (ConnectedAccount: the platform's account → studio lookup), and the
        # intent is looked up within it: Stripe ids are unique per studio (docs/architecture.md "Scaling").
        studio_id = (
            ConnectedAccount.objects.filter(stripe_account_id=event.account or "-").values_list("studio_id", flat=True)
        ).first()
        found = (
            Payment.objects.filter(studio_id=studio_id, stripe_payment_intent_id=charge.get("payment_intent") or "-")
            .order_by("pk")
            .first()
            if studio_id is not None
            else None
        )
        if found is None:
            return
        metadata = {"payment_id": found.pk, "invoice_id": found.invoice_id, "studio_id": found.studio_id}
    sync_refunds(locked_payment(metadata, event.account), charge)


def _subscription_checkout_completed(session: dict, event: StripeEvent) -> None:
    metadata = session.get("metadata") or {}
    subscription = locked_subscription(
        customer_id=session.get("customer") or "", studio_id=metadata.get("studio_id", "")
    )
    if subscription is None:
        raise PaymentRefused(f"No studio subscription for customer {session.get('customer')}.")
    subscription.stripe_subscription_id = session.get("subscription") or subscription.stripe_subscription_id
    if subscription.stripe_state_at is None:
        # No subscription snapshot has arrived yet: start from what the session tells us.
        plan = Plan.objects.filter(code=metadata.get("plan")).first()
        subscription.plan = plan or subscription.plan
        trialing = plan is not None and plan.trial_days and subscription.trial_end is None
        subscription.status = StudioSubscription.Status.TRIALING if trialing else StudioSubscription.Status.ACTIVE
    subscription.save()


def on_subscription_changed(obj: dict, event: StripeEvent) -> None:
    subscription = locked_subscription(
        customer_id=obj.get("customer") or "", studio_id=(obj.get("metadata") or {}).get("studio_id", "")
    )
    if subscription is None:
        raise PaymentRefused(f"No studio subscription for customer {obj.get('customer')}.")
    apply_subscription_snapshot(subscription, obj, event.created)


def on_invoice_paid(invoice: dict, event: StripeEvent) -> None:
    """The platform's own Stripe invoice for a subscription: paid means active until the period end."""
    subscription = locked_subscription(customer_id=invoice.get("customer") or "")
    if subscription is None or (subscription.stripe_state_at and event.created < subscription.stripe_state_at):
        return
    sub_id = invoice.get("subscription") or ((invoice.get("parent") or {}).get("subscription_details") or {}).get(
        "subscription"
    )
    subscription.stripe_subscription_id = sub_id or subscription.stripe_subscription_id
    if invoice.get("amount_paid") or subscription.status in (
        StudioSubscription.Status.PAST_DUE,
        StudioSubscription.Status.INCOMPLETE,
        StudioSubscription.Status.PAUSED,
    ):
        subscription.status = StudioSubscription.Status.ACTIVE
    period_end = max(
        (line.get("period", {}).get("end") or 0 for line in (invoice.get("lines") or {}).get("data", [])), default=0
    )
    if period_end:
        subscription.current_period_end = from_timestamp(period_end)
    subscription.stripe_state_at = event.created
    subscription.save()


def on_invoice_payment_failed(invoice: dict, event: StripeEvent) -> None:
    subscription = locked_subscription(customer_id=invoice.get("customer") or "")
    if subscription is None or (subscription.stripe_state_at and event.created < subscription.stripe_state_at):
        return
    subscription.status = StudioSubscription.Status.PAST_DUE
    subscription.stripe_state_at = event.created
    subscription.save()


def on_account_updated(obj: dict, event: StripeEvent) -> None:
    account = ConnectedAccount.objects.select_for_update().filter(stripe_account_id=obj.get("id")).first()
    if account is None:
        raise PaymentRefused(f"Account {obj.get('id')} is not connected to any studio.")
    apply_account_snapshot(account, obj, event.created)


HANDLERS = {
    "checkout.session.completed": on_checkout_completed,
    "checkout.session.async_payment_succeeded": on_checkout_completed,
    "checkout.session.expired": on_checkout_expired,
    "payment_intent.succeeded": on_payment_intent_succeeded,
    "customer.subscription.created": on_subscription_changed,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_changed,
    "customer.subscription.paused": on_subscription_changed,
    "customer.subscription.resumed": on_subscription_changed,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
    "account.updated": on_account_updated,
    "charge.refunded": on_charge_refunded,
}
