"""Settings → Studio settings → Custom domains: the rules for adding and removing a studio's own
domains, and the DNS record that proves a domain is the studio's. Nothing here looks a studio up by id."""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from billing.limits import PlanLimitReached, check_limit
from studios.models import Studio, StudioDomain, normalise_hostname

from .writable import check_writable_for_form

# The TXT record platform staff look for before marking a domain verified.
VERIFICATION_RECORD_PREFIX = "_focusflow"

# Said the same way whoever holds the domain: another studio's domains are not ours to reveal.
DOMAIN_TAKEN = (
    "This domain is already connected to another FocusFlow studio. If it is yours, contact support to move it."
)

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOP_LEVEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def parse_hostname(value: str) -> str:
    """A hostname typed by a photographer, as we store it: lower case, no scheme, path or port.
    Raises ValidationError when it is not a domain name."""
    value = value.strip()
    value = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", value).split("/", 1)[0]
    value = normalise_hostname(value)
    try:
        value = value.encode("idna").decode("ascii")  # internationalised names as punycode
    except UnicodeError as exc:
        raise ValidationError("Enter a domain name such as photos.example.com.") from exc
    labels = value.split(".")
    if (
        len(value) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or not _TOP_LEVEL.match(labels[-1])
    ):
        raise ValidationError("Enter a domain name such as photos.example.com (no spaces, no IP addresses).")
    return value


def check_new_domain(studio: Studio, hostname: str) -> StudioDomain:
    """The domain `studio` may add, unsaved; raises ValidationError with a message for the photographer."""
    hostname = parse_hostname(hostname)
    if StudioDomain.objects.for_studio(studio).filter(hostname__iexact=hostname).exists():
        raise ValidationError(f"{hostname} is already one of your domains.")
    # Deliberately across every studio: a hostname can answer for one studio only.
    if StudioDomain.objects.filter(hostname__iexact=hostname).exists():
        raise ValidationError(DOMAIN_TAKEN)
    domain = StudioDomain(studio=studio, hostname=hostname)
    try:
        domain.clean()  # platform addresses
    except ValidationError as exc:
        raise ValidationError(exc.message_dict.get("hostname", exc.messages)) from exc
    try:
        check_limit(studio, "custom_domain")  # the plan's custom-domain feature, a lapsed subscription
    except PlanLimitReached as exc:
        raise ValidationError(exc.message) from exc
    return domain


def add_domain(studio: Studio, hostname: str) -> StudioDomain:
    domain = check_new_domain(studio, hostname)
    try:
        with transaction.atomic():
            domain.save()
    except IntegrityError as exc:  # another studio added it a moment ago
        raise ValidationError(DOMAIN_TAKEN) from exc
    return domain


def remove_domain(studio: Studio, domain: StudioDomain) -> None:
    """Remove one of the studio's domains; the site stops answering there at once."""
    if domain.studio_id != studio.pk:
        raise StudioDomain.DoesNotExist  # never another studio's, whatever the caller passed
    check_writable_for_form(studio)
    domain.delete()


@dataclass(frozen=True)
class DnsRecord:
    type: str
    name: str
    value: str


def verification_record(domain: StudioDomain) -> DnsRecord:
    """The TXT record that proves the studio controls the domain."""
    return DnsRecord("TXT", f"{VERIFICATION_RECORD_PREFIX}.{domain.hostname}", domain.verification_token)


class AddDomainForm(forms.Form):
    hostname = forms.CharField(
        label="Domain",
        max_length=253,
        help_text="A domain or subdomain you own, e.g. photos.yourstudio.com.",
        widget=forms.TextInput(attrs={"placeholder": "photos.yourstudio.com", "autocomplete": "off"}),
    )

    def __init__(self, *args, studio: Studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.studio = studio

    def clean_hostname(self):
        return check_new_domain(self.studio, self.cleaned_data["hostname"]).hostname

    def save(self) -> StudioDomain | None:
        """The new domain, or None with the reason on the form (another studio took it meanwhile)."""
        try:
            return add_domain(self.studio, self.cleaned_data["hostname"])
        except ValidationError as exc:
            self.add_error("hostname", exc)
            return None
