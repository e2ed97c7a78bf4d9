"""Issuing contracts for bookings: render the template in the sandbox, freeze the text and its hash."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bookings.models import Booking
from crm.activity import record_activity
from studios import events
from studios.formatting import format_duration, format_money

from . import sandbox
from .models import Contract, ContractLocked, ContractTemplate, sha256_hex
from .tasks import mail_contract_link


def contract_variables(booking: Booking) -> dict[str, str]:
    """The values of the sandbox's variables for `booking` (plain strings, in the studio's zone and currency)."""
    studio, client, package = booking.studio, booking.client, booking.session_type
    start, end = booking.local_start, booking.local_end
    return {
        "client.name": client.name,
        "client.email": client.email,
        "client.phone": client.phone,
        "client.address": client.address,
        "booking.start": start.strftime("%A %-d %B %Y, %H:%M %Z"),
        "booking.end": end.strftime("%A %-d %B %Y, %H:%M %Z"),
        "booking.date": start.strftime("%A %-d %B %Y"),
        "booking.location": booking.location or package.location,
        "package.name": package.name,
        "package.price": format_money(package.price, studio.currency),
        "package.deposit": format_money(package.deposit, studio.currency),
        "package.duration": format_duration(package.duration),
        "studio.name": studio.name,
        "studio.email": studio.contact_email,
        "contract.date": timezone.now().astimezone(studio.tz).strftime("%-d %B %Y"),
    }


@transaction.atomic
def issue_contract(
    booking: Booking, template: ContractTemplate | None = None, *, user=None, notify: bool = True
) -> Contract:
    """A new version of the booking's contract, rendered now and frozen. Earlier unsigned versions
    become void; a signed one stays as it is (signed contracts never change)."""
    template = template or booking.session_type.contract_template
    if template is None or template.studio_id != booking.studio_id:
        raise ValueError("The booking's session type has no contract template of this studio.")
    values = contract_variables(booking)
    body = template.render_text(values)
    title = sandbox.render(template.title, values)
    previous = Contract.objects.filter(booking=booking).select_for_update().order_by("-version").first()
    version = (Contract.objects.filter(booking=booking).aggregate(v=Max("version"))["v"] or 0) + 1
    now = timezone.now()
    for old in Contract.objects.filter(booking=booking, signed_at__isnull=True).exclude(status=Contract.Status.VOID):
        old.status, old.voided_at = Contract.Status.VOID, now
        old.save(update_fields=["status", "voided_at"])
    contract = Contract.objects.create(
        studio_id=booking.studio_id,
        booking=booking,
        client_id=booking.client_id,
        template=template,
        version=version,
        supersedes=previous,
        title=title,
        body_text=body,
        body_sha256=sha256_hex(body),
        status=Contract.Status.SENT,
        sent_at=now,
        issued_by=user,
    )
    record_activity(
        booking.client,
        "contract_sent",
        f"{contract.title} (v{version})",
        data={"contract": contract.pk, "booking": booking.pk},
        user=user,
    )
    events.publish(booking.studio, "contract.sent", contract, by=user)
    if notify:
        mail_contract_link(contract)  # into the outbox, committed with the contract
    return contract


def void_contract(contract: Contract, *, user=None) -> Contract:
    if contract.status == Contract.Status.VOID:
        return contract
    contract.status, contract.voided_at = Contract.Status.VOID, timezone.now()
    contract.save(update_fields=["status", "voided_at"])
    return contract


__all__ = ["ContractLocked", "contract_variables", "format_money", "issue_contract", "void_contract"]
