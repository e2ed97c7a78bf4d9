"""Contract e-mails (written to the outbox, studios.outbox, in the transaction that issues or signs) and the
signed PDF, made off the request path; each task is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from crm.clients import photographer_addresses
from studios.background import publish_quietly
from studios.links import studio_url
from studios.outbox import queue_studio_mail

from .models import Contract
from .pdf import render_contract_pdf

# Sending is the outbox's job; the PDF task retries a blinking database or storage.
TASK = {"acks_late": True, "ignore_result": True}
RETRY = {**TASK, "autoretry_for": (ConnectionError,), "retry_backoff": True, "max_retries": 5}


def contract_link(contract: Contract) -> str:
    """The client's page for this contract on the studio's site (its primary host, studios/links.py)."""
    return studio_url(contract.studio, f"/contracts/{contract.token}/")


def booking_next_steps(booking, steps: list[str]) -> list[str]:
    """The booking e-mail's step for an unsigned contract (registered as a `booking_next_steps` hook)."""
    contract = booking.contracts.order_by("-version").first()
    if contract is not None and contract.signed_at is None and contract.status != Contract.Status.VOID:
        return [f"Read and sign your contract: {contract_link(contract)}"]
    return []


def _load(contract_id: int) -> Contract | None:
    return Contract.objects.select_related("studio", "client", "booking__session_type").filter(pk=contract_id).first()


def _send(template: str, contract: Contract, to: list[str], *, attachments=(), reply_to=None) -> None:
    context = {
        "contract": contract,
        "client": contract.client,
        "studio": contract.studio,
        "link": contract_link(contract),
    }
    queue_studio_mail(
        contract.studio,
        to,
        template,
        context,
        key=f"contract:{contract.pk}:{template}",
        about=contract,
        attachments=attachments,
        reply_to=reply_to,
        studio_time=True,
    )


def mail_contract_link(contract: Contract) -> bool:
    """The client's "please sign" e-mail, in the transaction that issues the contract."""
    if contract.status == Contract.Status.VOID or contract.signed_at:
        return False
    _send("contract_sent", contract, [contract.client.email], reply_to=photographer_addresses(contract.studio)[:1])
    return True


def mail_photographer_signed(contract: Contract) -> bool:
    recipients = photographer_addresses(contract.studio)
    if not recipients:
        return False
    _send("contract_signed", contract, recipients)
    return True


@shared_task(**TASK)
def send_contract_link(contract_id: int) -> bool:
    """Kept for messages queued before the outbox (the outbox key makes a repeat a no-op)."""
    contract = _load(contract_id)
    return contract is not None and mail_contract_link(contract)


@shared_task(**TASK)
def notify_photographer_signed(contract_id: int) -> bool:
    contract = _load(contract_id)
    return contract is not None and mail_photographer_signed(contract)


def store_pdf(contract: Contract) -> None:
    """Render the signed PDF into the studio's storage, once."""
    if not contract.pdf:
        name = f"{contract.token[:12]}-v{contract.version}.pdf"
        contract.pdf.save(name, ContentFile(render_contract_pdf(contract)), save=False)
        Contract.objects.filter(pk=contract.pk).update(pdf=contract.pdf.name)


@shared_task(**RETRY)
def finalise_signed_contract(contract_id: int) -> bool:
    """Make the PDF once and e-mail it once to the client and the studio."""
    with transaction.atomic():
        contract = Contract.objects.select_for_update().filter(pk=contract_id, countersigned_at__isnull=False).first()
        if contract is None:
            return False
        contract = _load(contract.pk)
        store_pdf(contract)
        if contract.pdf_emailed_at is not None:
            return False
        recipients = [contract.client.email, *photographer_addresses(contract.studio)]
        with contract.pdf.open("rb") as handle:
            pdf = (f"{contract.title} v{contract.version}.pdf", handle.read(), "application/pdf")
        # Into the outbox in this transaction, with pdf_emailed_at: one e-mail, sent and retried by the outbox.
        _send("contract_completed", contract, recipients, attachments=[pdf])
        Contract.objects.filter(pk=contract.pk).update(pdf_emailed_at=timezone.now())
    return True


@shared_task(ignore_result=True)
def finalise_missed_contracts() -> int:
    """Beat: contracts countersigned in the last week and never finalised (no PDF: the task queued on
    countersigning was lost to a broker outage or a killed worker) are finalised now. A contract whose PDF was
    made without an e-mail (the demo's, countersigned with notify=False) is left alone."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.DURABLE_SWEEP_SECONDS * 2)
    missed = Contract.objects.filter(
        countersigned_at__lte=stale, countersigned_at__gte=now - timedelta(days=7), pdf_emailed_at__isnull=True, pdf=""
    )
    ids = list(missed.values_list("pk", flat=True)[:200])
    for contract_id in ids:
        publish_quietly(finalise_signed_contract, contract_id)
    return len(ids)
