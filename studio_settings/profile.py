"""Settings → Studio settings: the profile, branding and region form of one studio."""

import re
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.images.widgets import AdminImageChooser

from billing.limits import PlanLimitReached, require_feature
from galleries.models import StudioImage
from studios.branding import is_font_stack, is_hex_colour
from studios.models import Studio

from .writable import check_writable_for_form

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


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def currency_choices(current: str = "") -> list[tuple[str, str]]:
    """The common currencies, plus the studio's own if it is not among them."""
    codes = {code for code, _ in COMMON_CURRENCIES}
    extra = [(current, current)] if current and current not in codes else []
    return COMMON_CURRENCIES + extra


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
            "keep_copyright_metadata",
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
