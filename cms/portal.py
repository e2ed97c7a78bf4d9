"""What the client portal shows a signed-in client (issue 16): their bookings, contracts, invoices, galleries,
questionnaires and the proposals waiting for their answer at one studio, as plain data for the portal's pages
(cms/portal_pages.py) and its JSON (`GET /api/client/portal/`, crm/api/portal.py).

Every query starts from the studio and the session's client: another client's (or studio's) rows are never
read. Links are paths on the studio's host (the contract and invoice pages by their secret tokens)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from billing.models import Invoice, Payment
from bookings.models import Booking
from contracts.models import Contract
from crm.models import Client
from crm.questionnaires import open_requests_for
from galleries.access import grant_access
from galleries.models import ClientGalleryIndexPage, Gallery, GalleryAccess
from proposals.models import Proposal
from studios.errors import NOT_FOUND, DomainError
from studios.formatting import format_money


@dataclass
class Overview:
    client: Client
    upcoming: list[dict] = field(default_factory=list)
    past: list[dict] = field(default_factory=list)
    contracts: list[dict] = field(default_factory=list)
    invoices: list[dict] = field(default_factory=list)
    galleries: list[dict] = field(default_factory=list)
    questionnaires: list[dict] = field(default_factory=list)
    proposals: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        client = self.client
        return {
            "client": {"name": client.name, "email": client.email, "phone": client.phone, "address": client.address},
            "bookings": {"upcoming": self.upcoming, "past": self.past},
            "contracts": self.contracts,
            "invoices": self.invoices,
            "galleries": self.galleries,
            "questionnaires": self.questionnaires,
            "proposals": self.proposals,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def bookings_of(studio, client: Client, now: datetime) -> tuple[list[dict], list[dict]]:
    upcoming, past = [], []
    rows = Booking.objects.for_studio(studio).filter(client=client).select_related("session_type").order_by("start")
    for booking in rows:
        booking.studio = studio
        row = {
            "id": booking.pk,
            "session": booking.session_type.name,
            "start": _iso(booking.start),
            "end": _iso(booking.end),
            "local_start": booking.local_start,
            "status": booking.status,
            "status_display": booking.get_status_display(),
            "location": booking.location,
            # Reschedule or cancel by the package's policy (bookings.selfservice); a headless site calls
            # /api/client/bookings/manage/{manage_token}/ with the token.
            "manage_url": booking.manage_url,
            "manage_token": booking.manage_token,
        }
        (upcoming if booking.end > now and booking.status != Booking.Status.CANCELLED else past).append(row)
    past.reverse()
    return upcoming, past


def contracts_of(studio, client: Client) -> list[dict]:
    rows = (
        Contract.objects.for_studio(studio)
        .filter(client=client)
        .exclude(status=Contract.Status.DRAFT)
        .order_by("-created_at")
    )
    result = []
    for contract in rows:
        open_to_sign = contract.status in (Contract.Status.SENT, Contract.Status.VIEWED)
        result.append(
            {
                "id": contract.pk,
                "title": contract.title,
                "version": contract.version,
                "status": contract.status,
                "status_display": "Withdrawn"
                if contract.status == Contract.Status.VOID
                else ("Awaiting your signature" if open_to_sign else contract.get_status_display()),
                "signed_at": _iso(contract.signed_at),
                "can_sign": open_to_sign,
                "token": contract.token,  # /api/client/contracts/{token}/ (read, sign, pdf)
                "url": f"/contracts/{contract.token}/",
                "pdf_url": f"/api/client/contracts/{contract.token}/pdf/"
                if contract.status != Contract.Status.VOID
                else None,
            }
        )
    return result


def invoices_of(studio, client: Client) -> list[dict]:
    rows = list(
        Invoice.objects.for_studio(studio)
        .filter(client=client)
        .exclude(status=Invoice.Status.DRAFT)
        .order_by("-sequence")
    )
    payments: dict[int, list[dict]] = {}
    succeeded = Payment.objects.for_studio(studio).filter(
        invoice__in=rows, status=Payment.Status.SUCCEEDED, paid_at__isnull=False
    )
    for payment in succeeded.order_by("paid_at"):
        payments.setdefault(payment.invoice_id, []).append(
            {
                "amount": payment.amount,
                "amount_display": format_money(payment.amount, payment.currency),
                "paid_at": _iso(payment.paid_at),
                "paid_at_local": payment.paid_at.astimezone(studio.tz),
                "refunded": payment.amount_refunded,
                "refunded_display": format_money(payment.amount_refunded, payment.currency),
            }
        )
    result = []
    for invoice in rows:
        result.append(
            {
                "id": invoice.pk,
                "number": invoice.number,
                "status": invoice.status,
                "status_display": invoice.get_status_display(),
                "currency": invoice.currency,
                "total": invoice.total,
                "total_display": format_money(invoice.total, invoice.currency),
                "amount_due": invoice.amount_due if invoice.is_open else 0,
                "amount_due_display": format_money(invoice.amount_due if invoice.is_open else 0, invoice.currency),
                "due_date": invoice.due_date.isoformat(),
                "can_pay": invoice.is_open,
                "token": invoice.token,  # /api/client/invoices/{token}/ (read, checkout)
                "url": f"/invoices/{invoice.token}/",
                "receipts": payments.get(invoice.pk, []),
            }
        )
    return result


def galleries_query(studio, client: Client):
    """The studio's live galleries this client is the client of, or has unlocked with their e-mail address."""
    unlocked = GalleryAccess.objects.filter(gallery__studio=studio, email__iexact=client.email).values("gallery_id")
    return (
        Gallery.objects.live()
        .filter(studio=studio)
        .filter(Q(client=client) | Q(pk__in=unlocked))
        .order_by("-first_published_at", "-pk")
    )


def galleries_of(studio, client: Client, now: datetime) -> list[dict]:
    return [
        {
            "id": gallery.pk,
            "title": gallery.title,
            "expires_at": _iso(gallery.expires_at),
            "expired": gallery.is_expired(now),
        }
        for gallery in galleries_query(studio, client)
    ]


def questionnaires_of(client: Client) -> list[dict]:
    """The questionnaires waiting for this client's answers, by the title they were sent with (the studio may
    have renamed or deleted the questionnaire since: what was sent is kept)."""
    return [
        {
            "name": request.title,
            "token": request.token,  # /api/client/questionnaires/{token}/
            "url": f"/questionnaires/{request.token}/",
            "sent_at": _iso(request.sent_at),
        }
        for request in open_requests_for(client)
    ]


def proposals_of(studio, client: Client, now: datetime) -> list[dict]:
    """The proposals waiting for this client's answer (sent or opened, not expired), newest first: one link each
    to accept, sign and pay on one page."""
    waiting = (
        Proposal.objects.for_studio(studio)
        .filter(client=client, status__in=[Proposal.Status.SENT, Proposal.Status.VIEWED])
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("session_type")
        .order_by("-sent_at", "-pk")
    )
    return [
        {
            "package": proposal.session_type.name,
            "start": _iso(proposal.start),  # None: the client picks a free slot
            "local_start": proposal.start.astimezone(studio.tz) if proposal.start else None,
            "expires_at": _iso(proposal.expires_at),
            "token": proposal.token,  # /api/client/proposals/{token}/
            "url": f"/proposals/{proposal.token}/",
            "sent_at": _iso(proposal.sent_at),
        }
        for proposal in waiting
    ]


def overview(studio, client: Client) -> Overview:
    now = timezone.now()
    upcoming, past = bookings_of(studio, client, now)
    return Overview(
        client=client,
        upcoming=upcoming,
        past=past,
        contracts=contracts_of(studio, client),
        invoices=invoices_of(studio, client),
        galleries=galleries_of(studio, client, now),
        questionnaires=questionnaires_of(client),
        proposals=proposals_of(studio, client, now),
    )


def open_gallery(studio, client: Client, gallery_id: int, ip: str | None = None) -> tuple[str, GalleryAccess]:
    """A gallery access token for one of the client's galleries, as the unlock gives (galleries.access), so the
    portal opens it without the code. Another client's or studio's gallery: 404 (`not_found`)."""
    gallery = galleries_query(studio, client).filter(pk=gallery_id).first()
    if gallery is None:
        raise DomainError("not_found", "No such gallery.", NOT_FOUND)
    gallery.studio = studio
    return grant_access(gallery, email=client.email, ip=ip)


def gallery_index_path(studio) -> str:
    if studio.home_page_id is None or studio.site_id is None:
        return "/"
    page = ClientGalleryIndexPage.objects.child_of(studio.home_page).live().first()
    return (page.relative_url(studio.site) if page else "") or "/"
