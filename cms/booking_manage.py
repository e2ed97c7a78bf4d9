"""The client's booking page on the studio's site (/bookings/manage/<token>/, the link in every booking
e-mail, `Booking.manage_url`): the session, the studio's policy, a list of free slots to move it to and a
cancel form with a confirmation box. Plain forms, so it works without JavaScript: they post to
/bookings/manage/<token>/reschedule/ and …/cancel/ (bookings/api/pages.py, beside the client API's same
actions, whose throttle they share). The rules are bookings.selfservice's."""

from datetime import datetime, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from billing.invoicing import deposit_for
from billing.models import Invoice, Refund
from bookings.availability import free_slots
from bookings.policy import policy_for
from bookings.selfservice import booking_for_manage_token
from contracts.models import Contract
from studios.formatting import format_money

from .client_pages import client_link_missing, request_studio

SLOT_DAYS = 14  # free slots shown at a time; "Later dates" pages on
NOTICES = {
    "rescheduled": "Your session has moved. We have e-mailed you the new time with a calendar update.",
    "cancelled": "Your session is cancelled. We have e-mailed you a confirmation.",
}


def _slots_from(request, booking, now: datetime):
    """Free slots for the booking's session type from `?from=` (a date, default today) for SLOT_DAYS days,
    grouped by the studio's local day; the booking's own time excluded."""
    studio, tz = booking.studio, booking.studio.tz
    today = now.astimezone(tz).date()
    first = parse_date(request.GET.get("from", "") or "") or today
    first = max(first, today)
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=SLOT_DAYS)
    slots = free_slots(studio, booking.session_type, start, end, now=now, exclude_booking=booking.pk)
    days: dict = {}
    for slot in slots:
        if slot.start == booking.start:
            continue
        local = slot.start.astimezone(tz)
        days.setdefault(local.date(), []).append({"value": slot.start.isoformat(), "local": local})
    return [{"date": day, "slots": day_slots} for day, day_slots in days.items()], first + timedelta(days=SLOT_DAYS)


def settlement(booking) -> list[str]:
    """What a cancellation did to the booking's contract and money, as the client reads it: the contract
    withdrawn, the invoice void (nothing to pay) or what Stripe refunded and what the studio keeps."""
    studio = booking.studio
    lines = []
    latest = Contract.objects.for_studio(studio).filter(booking=booking).order_by("-version").first()
    if latest is not None and latest.status == Contract.Status.VOID:
        lines.append("Your contract is withdrawn: there is nothing to sign.")
    for invoice in Invoice.objects.for_studio(studio).filter(booking=booking).order_by("sequence"):
        if invoice.status == Invoice.Status.VOID:
            lines.append(f"Invoice {invoice.number} is void: there is nothing to pay.")
            continue
        refunded = sum(
            Refund.objects.for_studio(studio).filter(payment__invoice=invoice).values_list("amount", flat=True)
        )
        if refunded:
            lines.append(
                f"{format_money(refunded, invoice.currency)} of invoice {invoice.number} is refunded to your card; "
                "it can take 5–10 days to show on your statement."
            )
        kept = invoice.net_paid
        if kept > 0 and kept <= deposit_for(invoice):
            lines.append(
                f"{studio.name} keeps your {format_money(kept, invoice.currency)} deposit, as its cancellation "
                "policy says; nothing more is owed."
            )
        elif kept > 0:
            amount = format_money(kept, invoice.currency)
            lines.append(f"{studio.name} holds {amount} you paid; they will write to you about it.")
    return lines


def render_manage(request, booking, *, error: str = "", status: int = 200, form: dict | None = None):
    now = timezone.now()
    policy = policy_for(booking)
    can_change = policy.can_change(booking, now)
    can_reschedule = can_change and policy.reschedules_left(booking) > 0
    days, later = _slots_from(request, booking, now) if can_reschedule else ([], None)
    context = {
        "booking": booking,
        "policy": policy,
        "policy_sentences": policy.sentences(),
        "deadline": policy.change_deadline(booking),
        "can_change": can_change,
        "can_reschedule": can_reschedule,
        "reschedules_left": policy.reschedules_left(booking),
        "deposit_refunded_now": policy.deposit_refunded(booking, now),
        "days": days,
        "later": later,
        "notice": NOTICES.get(request.GET.get("done", "")),
        "settlement": settlement(booking) if booking.status == booking.Status.CANCELLED else [],
        "error": error,
        "form": form or {},
    }
    return render(request, "bookings/manage_page.html", context, status=status)


@require_GET
def booking_manage_page(request, token: str):
    booking = booking_for_manage_token(request_studio(request), token)
    if booking is None:
        return client_link_missing(request, "booking")
    return render_manage(request, booking)
