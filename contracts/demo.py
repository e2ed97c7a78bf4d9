"""A demo contract template on the wedding package, and one contract signed by both parties (idempotent)."""

import io

from PIL import Image, ImageDraw

from bookings.models import Booking, SessionType

from .issuing import issue_contract
from .models import Contract, ContractTemplate
from .signing import countersign, sign_as_client
from .tasks import store_pdf

WEDDING_TERMS = [
    ("heading", "Wedding photography agreement"),
    ("paragraph", "This agreement is between {{ studio.name }} (the photographer) and {{ client.name }} (the client)."),
    ("paragraph", "The photographer will cover {{ package.name }} on {{ booking.start }} at {{ booking.location }}."),
    (
        "list",
        [
            "Total fee: {{ package.price }}",
            "Deposit to secure the date: {{ package.deposit }}",
            "Coverage: {{ package.duration }}",
        ],
    ),
    ("heading", "Cancellation"),
    ("paragraph", "The deposit is not refundable. Cancellations within 30 days of the wedding owe the full fee."),
    ("heading", "Images"),
    ("paragraph", "The client receives an online gallery within six weeks; the photographer keeps the copyright."),
    ("signature", {"party": "client", "label": "The client"}),
    ("signature", {"party": "photographer", "label": "For the studio"}),
]


PORTRAIT_TERMS = [
    ("heading", "Portrait session agreement"),
    ("paragraph", "{{ studio.name }} will photograph {{ client.name }} for {{ package.name }} on {{ booking.start }}."),
    ("list", ["Fee: {{ package.price }}", "Deposit to hold the time: {{ package.deposit }}"]),
    ("paragraph", "Reschedule free of charge up to 48 hours before the session; the deposit is then not refundable."),
    ("signature", {"party": "client", "label": "The client"}),
]


def demo_signature() -> bytes:
    image = Image.new("RGBA", (320, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(12, 70), (60, 25), (110, 80), (170, 30), (240, 75), (300, 40)], fill="black", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed(studio, stdout) -> None:
    template, _ = ContractTemplate.objects.for_studio(studio).get_or_create(
        title="Wedding agreement — {{ client.name }}", defaults={"studio": studio, "body": WEDDING_TERMS}
    )
    portrait_template, _ = ContractTemplate.objects.for_studio(studio).get_or_create(
        title="Portrait session — {{ client.name }}", defaults={"studio": studio, "body": PORTRAIT_TERMS}
    )
    # Booking a family portrait on the demo site walks the whole flow: contract, then deposit.
    SessionType.objects.for_studio(studio).filter(name="Family portrait", contract_template=None).update(
        contract_template=portrait_template
    )
    wedding = SessionType.objects.for_studio(studio).filter(name="Wedding — full day").first()
    if wedding is None:
        return
    if wedding.contract_template_id is None:
        wedding.contract_template = template
        wedding.save(update_fields=["contract_template"])

    booking = Booking.objects.for_studio(studio).filter(session_type=wedding).select_related("client").first()
    if booking is None or Contract.objects.filter(booking=booking).exists():
        return
    contract = issue_contract(booking, template, notify=False)
    sign_as_client(
        contract,
        typed_name=booking.client.name,
        signature_png=demo_signature(),
        consent=True,
        signed_sha256=contract.body_sha256,
        ip_address="127.0.0.1",
        user_agent="FocusFlow demo",
        notify=False,
    )
    owner = studio.memberships.filter(role="owner").select_related("user").first()
    countersign(
        contract,
        user=owner.user if owner else None,
        typed_name=studio.name,
        ip_address="127.0.0.1",
        user_agent="FocusFlow demo",
        notify=False,
    )
    contract.refresh_from_db()
    store_pdf(contract)  # no e-mails from the demo
    stdout.write(f"  contracts: a signed wedding contract for {booking.client.name} at {studio.slug}")
