"""Contract templates (Wagtail content) and the contracts issued from them (frozen, hashed, signed)."""

import base64
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import StreamField

from studios.errors import CONFLICT, DomainMessageError
from studios.media import studio_path
from studios.models import Studio, StudioOwned

from . import sandbox
from .blocks import ContractStreamBlock


class ContractTemplate(StudioOwned):
    """A contract the photographer writes once, with variables like {{ client.name }}."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="contract_templates")
    title = models.CharField(max_length=200)
    body = StreamField(ContractStreamBlock(), use_json_field=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        HelpPanel(
            content="Write the contract with headings, paragraphs, lists and signature blocks. Variables: "
            + ", ".join("{{ %s }}" % v for v in sandbox.VARIABLES)  # noqa: UP031 - braces are literal
        ),
        FieldPanel("body"),
    ]

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def texts(self) -> list[str]:
        """Every piece of text a variable may hide in."""
        texts = [self.title]
        for block in self.body:
            if block.block_type in ("heading", "paragraph"):
                texts.append(block.value)
            elif block.block_type == "list":
                texts.extend(block.value)
        return texts

    def clean(self):
        errors = sandbox.check_all(self.texts())
        if errors:
            raise ValidationError(errors)

    def render_text(self, values: dict[str, str]) -> str:
        """The contract as frozen plain text: '## ' headings, '- ' list items, '[signature: …]' lines."""
        parts = []
        for block in self.body:
            if block.block_type == "heading":
                parts.append("## " + sandbox.render(block.value, values))
            elif block.block_type == "paragraph":
                parts.append(sandbox.render(block.value, values).strip())
            elif block.block_type == "list":
                parts.append("\n".join("- " + sandbox.render(item, values) for item in block.value))
            elif block.block_type == "signature":
                label = block.value["label"] or block.value["party"].title()
                parts.append(f"[signature: {block.value['party']} — {label}]")
        return "\n\n".join(parts) + "\n"


def new_contract_token() -> str:
    return secrets.token_urlsafe(32)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def contract_pdf_path(contract, filename):
    # Under the studio's prefix (studios.media.studio_path). PDFs made before are at studios/<slug>/contracts/.
    return studio_path(contract.studio_id, f"contracts/{filename}")


class ContractLocked(DomainMessageError):
    """A signed contract cannot change: issue a new version instead."""

    code = "contract_locked"
    kind = CONFLICT


class Contract(StudioOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        VIEWED = "viewed", "Viewed"
        SIGNED = "signed", "Signed"
        VOID = "void", "Void"

    # Fields a signature freezes.
    FROZEN = ("booking_id", "client_id", "version", "title", "body_text", "body_sha256", "token")

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="contracts")
    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="contracts")
    client = models.ForeignKey("crm.Client", on_delete=models.PROTECT, related_name="contracts")
    template = models.ForeignKey(
        ContractTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts"
    )
    version = models.PositiveIntegerField(default=1)
    # A contract is replaced at most once: unique within the studio (below), not as a platform-wide one-to-one.
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    body_text = models.TextField(help_text="The rendered contract, frozen when issued.")
    body_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    token = models.CharField(max_length=64, default=new_contract_token, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    countersigned_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=contract_pdf_path, blank=True)
    pdf_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "booking", "version"], name="unique_contract_studio_version"),
            models.UniqueConstraint(fields=["studio", "token"], name="contract_studio_token"),
            models.UniqueConstraint(fields=["studio", "supersedes"], name="contract_studio_supersedes"),
        ]
        # finalise_missed_contracts (beat) looks only at countersigned contracts never e-mailed.
        indexes = [
            models.Index(
                fields=["countersigned_at"],
                name="contract_unfinalised_idx",
                condition=models.Q(countersigned_at__isnull=False, pdf_emailed_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def is_intact(self) -> bool:
        """Does the stored text still match the hash taken when it was issued?"""
        return sha256_hex(self.body_text) == self.body_sha256

    def body_blocks(self) -> list[dict]:
        """The frozen text (see ContractTemplate.render_text) as blocks to display: headings, paragraphs,
        lists and the places where each party signs."""
        blocks = []
        for part in self.body_text.split("\n\n"):
            part = part.strip()
            lines = part.split("\n")
            if not part:
                continue
            if part.startswith("## "):
                blocks.append({"kind": "heading", "text": part[3:]})
            elif part.startswith("[signature:") and part.endswith("]"):
                party, _, label = part[len("[signature:") : -1].strip().partition(" — ")
                blocks.append({"kind": "signature", "party": party, "label": label or party.title()})
            elif all(line.startswith("- ") for line in lines):
                blocks.append({"kind": "list", "items": [line[2:] for line in lines]})
            else:
                blocks.append({"kind": "paragraph", "lines": lines})
        return blocks

    def signed_blocks(self, signatures=None) -> list[dict]:
        """body_blocks() with each party's signature (and its drawn image as a data: URL) where they signed:
        what the client's contract page and the admin's contract screen show."""
        if signatures is None:
            signatures = {signature.party: signature for signature in self.signatures.all()}
        blocks = self.body_blocks()
        for block in blocks:
            if block["kind"] == "signature" and block["party"] in signatures:
                signature = block["signature"] = signatures[block["party"]]
                if signature.image_png:
                    block["signature_src"] = "data:image/png;base64," + base64.b64encode(signature.image_png).decode()
        return blocks

    def save(self, *args, **kwargs):
        if self.pk:
            stored = Contract.objects.filter(pk=self.pk).values(*self.FROZEN, "signed_at").first()
            if stored and stored["signed_at"] is not None:
                changed = [f for f in self.FROZEN if getattr(self, f) != stored[f]]
                if changed:
                    raise ContractLocked(f"Contract {self.pk} is signed; {', '.join(changed)} cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.signed_at is not None:
            raise ContractLocked("A signed contract is kept for the record; void it instead.")
        return super().delete(*args, **kwargs)


class Signature(StudioOwned):
    class Party(models.TextChoices):
        CLIENT = "client", "Client"
        PHOTOGRAPHER = "photographer", "Photographer"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="contract_signatures")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(max_length=12, choices=Party.choices)
    typed_name = models.CharField(max_length=200)
    image_png = models.BinaryField(null=True, blank=True, help_text="The drawn signature, PNG.")
    signed_sha256 = models.CharField(max_length=64, help_text="The hash of the text that was signed.")
    consent = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "contract", "party"], name="one_signature_per_studio_party")
        ]

    def __str__(self):
        return f"{self.get_party_display()}: {self.typed_name} at {self.signed_at:%Y-%m-%d %H:%M}"


def contract_for_token(studio: Studio | None, token: str) -> Contract | None:
    """The studio's contract behind a client's secret link, signatures prefetched; None for any other
    studio's, or no studio. Used by the contract page and the client API."""
    if studio is None:
        return None
    return (
        Contract.objects.for_studio(studio)
        .select_related("studio", "client", "booking__session_type", "booking__studio")
        .prefetch_related("signatures")
        .filter(token=token)
        .first()
    )
