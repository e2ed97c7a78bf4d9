"""Contract e-mails and the signed PDF, off the request path; each task is safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from crm.clients import photographer_addresses

from .models import Contract
from .pdf import render_contract_pdf

RETRY = {"acks_late": True, "autoretry_for": (ConnectionError,), "retry_backoff": True, "max_retries": 5}


def contract_link(contract: Contract) -> str:
    return settings.CONTRACT_LINK_URL.format(host=contract.studio.hostname, token=contract.token)


def _load(contract_id: int) -> Contract | None:
    return Contract.objects.select_related("studio", "client", "booking__session_type").filter(pk=contract_id).first()


def _message(template: str, contract: Contract, to: list[str], reply_to=None) -> EmailMultiAlternatives:
    context = {
        "contract": contract,
        "client": contract.client,
        "studio": contract.studio,
        "link": contract_link(contract),
    }
    with timezone.override(contract.studio.tz):
        subject = render_to_string(f"email/{template}_subject.txt", context).strip()
        body = render_to_string(f"email/{template}.txt", context)
    return EmailMultiAlternatives(subject, body, to=to, reply_to=reply_to)


@shared_task(**RETRY)
def send_contract_link(contract_id: int) -> bool:
    contract = _load(contract_id)
    if contract is None or contract.status == Contract.Status.VOID or contract.signed_at:
        return False
    _message(
        "contract_sent", contract, [contract.client.email], reply_to=photographer_addresses(contract.studio)[:1]
    ).send()
    return True


@shared_task(**RETRY)
def notify_photographer_signed(contract_id: int) -> bool:
    contract = _load(contract_id)
    recipients = photographer_addresses(contract.studio) if contract else []
    if not recipients:
        return False
    _message("contract_signed", contract, recipients).send()
    return True


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
        message = _message("contract_completed", contract, recipients)
        with contract.pdf.open("rb") as handle:
            message.attach(f"{contract.title} v{contract.version}.pdf", handle.read(), "application/pdf")
        message.send()
        Contract.objects.filter(pk=contract.pk).update(pdf_emailed_at=timezone.now())
    return True
