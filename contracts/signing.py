"""Signing: the client signs by secret link, the photographer countersigns in the admin.

Every step re-checks the frozen text against its SHA-256: a contract whose text no longer
matches (tampered with in the database) is refused, and nothing is recorded."""

import base64
import binascii
import io
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from crm.activity import record_activity
from studios import events
from studios.background import queue_after_commit
from studios.errors import CONFLICT, INVALID, DomainError

from .models import Contract, Signature
from .tasks import finalise_signed_contract, mail_photographer_signed

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 200 * 1024
MAX_SIGNATURE_SIDE = 2000
DATA_URL_PREFIX = "data:image/png;base64,"


class SigningError(DomainError):
    """Signing is refused: `kind` conflict (the default) or invalid; `field` names the input at fault."""

    def __init__(self, code: str, message: str, kind: str = CONFLICT, field: str | None = None):
        super().__init__(code, message, kind, fields={field: [message]} if field else None)
        self.field = field


def decode_signature_png(data_url: str) -> bytes:
    """The PNG bytes of a drawn signature sent as a data URL, or SigningError saying what is wrong."""

    def bad(message):
        return SigningError("invalid_signature_image", message, INVALID, field="signature_image")

    if not isinstance(data_url, str) or not data_url.startswith(DATA_URL_PREFIX):
        raise bad("Send the drawn signature as a PNG data URL (data:image/png;base64,…).")
    encoded = data_url[len(DATA_URL_PREFIX) :]
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise bad("The signature image is too large (at most 200 KB).")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad("The signature image is not valid base64.") from exc
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise bad("The signature image is too large (at most 200 KB).")
    if not raw.startswith(PNG_MAGIC):
        raise bad("The signature image must be a PNG.")
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise bad("The signature image must be a PNG.")
            width, height = image.size
            if width > MAX_SIGNATURE_SIDE or height > MAX_SIGNATURE_SIDE or width < 10 or height < 10:
                raise bad("The signature image must be between 10 and 2000 pixels on each side.")
            image.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            if image.convert("L").getextrema()[0] == image.convert("L").getextrema()[1]:
                raise bad("The signature is blank: please draw your signature.")
    except SigningError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise bad("The signature image is damaged; please draw it again.") from exc
    return raw


def ensure_intact(contract: Contract) -> None:
    if not contract.is_intact:
        raise SigningError(
            "contract_tampered",
            "This contract's text does not match the version that was issued, so it cannot be shown or signed. "
            "Please contact the studio.",
        )


def mark_viewed(contract: Contract, at: datetime | None = None) -> Contract:
    """The client opened the link: the first time, the contract becomes 'viewed' and the timeline says so."""
    ensure_intact(contract)
    if contract.viewed_at is not None or contract.status == Contract.Status.VOID:
        return contract
    at = at or timezone.now()
    with transaction.atomic():
        first = Contract.objects.filter(pk=contract.pk, viewed_at__isnull=True).update(
            viewed_at=at,
            status=Contract.Status.VIEWED if contract.status == Contract.Status.SENT else contract.status,
        )
        if first:
            contract.refresh_from_db()
            record_activity(contract.client, "contract_viewed", str(contract), data={"contract": contract.pk}, at=at)
    return contract


def _add_signature(locked: Contract, duplicate: SigningError, *, user_agent: str, **fields) -> Signature:
    """One party's signature on the text as issued; a second one for the same party raises `duplicate`
    (the unique constraint decides, whatever raced us)."""
    try:
        with transaction.atomic():
            return Signature.objects.create(
                studio_id=locked.studio_id,
                contract=locked,
                signed_sha256=locked.body_sha256,
                consent=True,
                user_agent=user_agent[:300],
                **fields,
            )
    except IntegrityError as exc:
        raise duplicate from exc


def sign_as_client(
    contract: Contract,
    *,
    typed_name: str,
    signature_png: bytes,
    consent: bool,
    signed_sha256: str,
    ip_address: str | None,
    user_agent: str,
    notify: bool = True,
) -> Signature:
    if not consent:
        raise SigningError(
            "consent_required", "Tick the box to agree to sign electronically.", INVALID, field="consent"
        )
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        ensure_intact(locked)
        if locked.status == Contract.Status.VOID:
            raise SigningError("contract_void", "This contract was withdrawn; the studio will send you a new one.")
        if locked.signed_at is not None:
            raise SigningError("already_signed", "You have already signed this contract; nothing more to do.")
        if signed_sha256 != locked.body_sha256:
            raise SigningError(
                "contract_changed", "The contract you read is not the current one. Reload it, read it and sign again."
            )
        now = timezone.now()
        signature = _add_signature(
            locked,
            SigningError("already_signed", "You have already signed this contract; nothing more to do."),
            party=Signature.Party.CLIENT,
            typed_name=typed_name.strip()[:200],
            image_png=signature_png,
            ip_address=ip_address,
            user_agent=user_agent,
            signed_at=now,
        )
        locked.status, locked.signed_at = Contract.Status.SIGNED, now
        locked.viewed_at = locked.viewed_at or now
        locked.save(update_fields=["status", "signed_at", "viewed_at"])
        record_activity(
            locked.client,
            "contract_signed",
            f"{locked} signed by {signature.typed_name}",
            data={"contract": locked.pk, "ip": ip_address},
            at=now,
        )
        events.publish(locked.studio, "contract.signed", locked)
        if notify:
            mail_photographer_signed(locked)  # into the outbox, committed with the signature
    contract.refresh_from_db()
    return signature


def countersign(
    contract: Contract, *, user, typed_name: str, ip_address: str | None, user_agent: str, notify: bool = True
) -> Signature:
    """The photographer's signature: after the client's; then the PDF is made and sent to both."""
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        ensure_intact(locked)
        if locked.signed_at is None:
            raise SigningError("not_signed_by_client", "The client has not signed yet; countersign after they do.")
        if locked.countersigned_at is not None:
            raise SigningError("already_countersigned", "You have already countersigned this contract.")
        if not typed_name.strip():
            raise SigningError("name_required", "Type your name to sign.", INVALID, field="typed_name")
        now = timezone.now()
        signature = _add_signature(
            locked,
            SigningError("already_countersigned", "You have already countersigned this contract."),
            party=Signature.Party.PHOTOGRAPHER,
            typed_name=typed_name.strip()[:200],
            ip_address=ip_address,
            user_agent=user_agent,
            user=user,
            signed_at=now,
        )
        locked.countersigned_at = now
        locked.save(update_fields=["countersigned_at"])
        record_activity(
            locked.client, "contract_countersigned", f"{locked} countersigned by {signature.typed_name}",
            data={"contract": locked.pk}, user=user, at=now,
        )  # fmt: skip
    if notify:
        # The PDF is made off the request path; if this publish is lost, finalise_missed_contracts (beat) runs it.
        queue_after_commit(finalise_signed_contract, locked.pk)
    contract.refresh_from_db()
    return signature
