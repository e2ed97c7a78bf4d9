"""Studio settings in the admin: the rules for editing a studio's profile and its custom domains,
and the at-a-glance summary of the settings that live on their own screens.

Every function takes the photographer's studio; nothing here looks a studio up by id."""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from wagtail.images.widgets import AdminImageChooser

from billing import limits
from billing.limits import PlanLimitReached, StudioReadOnly, check_limit, check_writable, require_feature
from billing.models import ConnectedAccount
from galleries.models import StudioImage, WatermarkSettings
from studios.branding import is_font_stack, is_hex_colour
from studios.models import Studio, StudioDomain, normalise_hostname

# The TXT record platform staff look for before marking a domain verified.
VERIFICATION_RECORD_PREFIX = "_focusflow"

# Said the same way whoever holds the domain: another studio's domains are not ours to reveal.
DOMAIN_TAKEN = (
    "This domain is already connected to another FocusFlow studio. If it is yours, contact support to move it."
)

# Two-decimal currencies only: amounts are kept in hundredths (billing), so zero-decimal ones such
# as JPY would be off by a factor of 100.
COMMON_CURRENCIES = [
    ("USD", "USD — US dollar"),
    ("EUR", "EUR — Euro"),
    ("GBP", "GBP — Pound sterling"),
    ("CAD", "CAD — Canadian dollar"),
    ("AUD", "AUD — Australian dollar"),
    ("NZD", "NZD — New Zealand dollar"),
    ("CHF", "CHF — Swiss franc"),
    ("SEK", "SEK — Swedish krona"),
    ("NOK", "NOK — Norwegian krone"),
    ("DKK", "DKK — Danish krone"),
    ("PLN", "PLN — Polish złoty"),
    ("CZK", "CZK — Czech koruna"),
    ("SGD", "SGD — Singapore dollar"),
    ("HKD", "HKD — Hong Kong dollar"),
    ("ZAR", "ZAR — South African rand"),
    ("MXN", "MXN — Mexican peso"),
    ("BRL", "BRL — Brazilian real"),
    ("INR", "INR — Indian rupee"),
    ("AED", "AED — UAE dirham"),
]

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOP_LEVEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def currency_choices(current: str = "") -> list[tuple[str, str]]:
    """The common currencies, plus the studio's own if it is not among them."""
    codes = {code for code, _ in COMMON_CURRENCIES}
    extra = [(current, current)] if current and current not in codes else []
    return COMMON_CURRENCIES + extra


def check_writable_for_form(studio: Studio) -> None:
    """A lapsed subscription keeps the studio readable but refuses changes (billing.limits.check_writable)."""

    try:
        check_writable(studio)
    except StudioReadOnly as exc:
        raise ValidationError(exc.message, code="read_only") from exc


# --- Profile, branding and region --------------------------------------------------------------


def _https_by_default(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a typed "example.com/preview" means https
    return field.formfield(**kwargs)


class StudioProfileForm(forms.ModelForm):
    """Name, contact, branding, white label, preview URL, time zone and currency of one studio.

    The time zone and currency only change how times and amounts are shown and which currency new
    invoices use: stored times are UTC and stay as they are."""

    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Session times, availability and e-mails are shown in this zone.",
    )
    currency = forms.ChoiceField(
        help_text="Session-type prices and new invoices are in this currency. Changing it does not convert "
        "your prices; existing invoices keep theirs."
    )

    class Meta:
        model = Studio
        formfield_callback = _https_by_default
        fields = [
            "name",
            "contact_email",
            "tagline",
            "logo",
            "primary_color",
            "accent_color",
            "font_family",
            "white_label",
            "preview_url",
            "time_zone",
            "currency",
        ]
        labels = {
            "name": "Studio name",
            "contact_email": "Contact e-mail",
            "primary_color": "Primary colour",
            "accent_color": "Accent colour",
            "font_family": "Font stack",
            "white_label": "White label",
            "preview_url": "Headless preview URL",
        }
        help_texts = {
            "contact_email": "Shown on your site; new inquiries and client activity are sent here too.",
            "tagline": "A line under your name, e.g. “Weddings and portraits in the Lake District”.",
            "primary_color": "A hex colour such as #1f2933: header, buttons and links.",
            "accent_color": "A hex colour such as #c8a97e: highlights.",
            "font_family": "A CSS font stack, e.g. 'Cormorant Garamond', Georgia, serif.",
            "white_label": "Hide “Powered by FocusFlow” on your site. Needs a plan with white label (Studio or above).",
            "preview_url": "Only if you build your own client site: its preview page, e.g. https://example.com/preview.",
        }
        widgets = {
            "logo": AdminImageChooser,
            "primary_color": forms.TextInput(attrs={"placeholder": "#1f2933", "size": 8}),
            "accent_color": forms.TextInput(attrs={"placeholder": "#c8a97e", "size": 8}),
        }

    def __init__(self, *args, studio: Studio, **kwargs):
        # A copy: an invalid form writes its values onto its instance, and the page shows the saved studio.
        super().__init__(*args, instance=Studio.objects.get(pk=studio.pk), **kwargs)

        self.studio = studio
        # Only the studio's own images, whatever id is posted (the chooser is scoped by studios.wagtail_hooks).
        self.fields["logo"].queryset = StudioImage.objects.for_studio(studio)
        self.fields["logo"].help_text = "Shown in your site's header instead of your name. A PNG or SVG-like logo."
        self.fields["currency"].choices = currency_choices(studio.currency)

    def clean_primary_color(self):
        return self._colour("primary_color")

    def clean_accent_color(self):
        return self._colour("accent_color")

    def _colour(self, name: str) -> str:
        value = self.cleaned_data[name].strip()
        if not is_hex_colour(value):
            raise ValidationError("Enter a hex colour: # followed by 3 or 6 of 0–9 and a–f, e.g. #1f2933.")
        return value.lower()

    def clean_font_family(self):
        value = self.cleaned_data["font_family"].strip()
        if not is_font_stack(value):
            raise ValidationError(
                "Use font names separated by commas, e.g. 'Cormorant Garamond', Georgia, serif "
                "(letters, digits, spaces, quotes and hyphens only)."
            )
        return value

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        if value not in zoneinfo.available_timezones():
            raise ValidationError(f"“{value}” is not a time zone (try Europe/London or America/New_York).")
        return value

    def clean_currency(self):
        value = self.cleaned_data["currency"].upper()
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValidationError("Enter a three-letter ISO 4217 currency code, e.g. GBP.")
        return value

    def clean(self):
        cleaned = super().clean()
        check_writable_for_form(self.studio)
        if cleaned.get("white_label"):
            try:
                require_feature(self.studio, "white_label")
            except PlanLimitReached as exc:
                self.add_error("white_label", exc.message)
        return cleaned


# --- Custom domains ----------------------------------------------------------------------------


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


# --- Summary of the settings that have their own screens ---------------------------------------

RECENT_FAILURES = timedelta(days=7)


@dataclass(frozen=True)
class StripeConnection:
    state: str  # "connected", "incomplete" or "not_connected"
    label: str
    account_id: str = ""


def stripe_connection(studio: Studio) -> StripeConnection:
    """Whether client payments reach the studio's Stripe account (read from billing's ConnectedAccount)."""

    account = ConnectedAccount.objects.for_studio(studio).first()
    if account is None:
        return StripeConnection("not_connected", "Not connected")
    if account.charges_enabled and account.payouts_enabled:
        return StripeConnection("connected", "Connected", account.stripe_account_id)
    return StripeConnection("incomplete", f"Onboarding incomplete: {account.status_label}", account.stripe_account_id)


@dataclass(frozen=True)
class SettingsSummary:
    plan_name: str
    read_only: bool
    storage_used_gb: float
    storage_quota_gb: int
    custom_domains_allowed: bool
    white_label_allowed: bool
    watermark: str
    stripe: StripeConnection
    active_api_keys: int
    webhook_endpoints: int
    failed_deliveries: int
    seats_used: int
    seats_total: int | None  # None: unlimited


def settings_summary(studio: Studio) -> SettingsSummary:
    from frontend_api.models import ApiKey, WebhookDelivery, WebhookEndpoint

    plan = limits.plan_for(studio)
    usage = limits.usage(studio)
    watermark = WatermarkSettings.objects.filter(studio=studio).first()
    if watermark is None:
        watermark_text = "Not set up"
    elif watermark.image_id:
        watermark_text = f"Logo, {watermark.get_position_display().lower()}, {watermark.opacity}% opacity"
    else:
        watermark_text = f"“{watermark.text}”, {watermark.get_position_display().lower()}"
    failing = [WebhookDelivery.Status.FAILED, WebhookDelivery.Status.RETRYING]
    return SettingsSummary(
        plan_name=plan.name,
        read_only=limits.is_read_only(studio),
        storage_used_gb=round(usage.storage_bytes / limits.GB, 2),
        storage_quota_gb=plan.storage_gb,
        custom_domains_allowed=plan.custom_domain,
        white_label_allowed=plan.white_label,
        watermark=watermark_text,
        stripe=stripe_connection(studio),
        active_api_keys=ApiKey.objects.for_studio(studio).active().count(),
        webhook_endpoints=WebhookEndpoint.objects.for_studio(studio).count(),
        failed_deliveries=WebhookDelivery.objects.for_studio(studio)
        .filter(status__in=failing, created_at__gte=timezone.now() - RECENT_FAILURES)
        .count(),
        seats_used=usage.staff_seats,
        seats_total=plan.staff_seats,
    )
