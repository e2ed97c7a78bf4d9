"""The studio's public profile for a custom client site: its name, branding and how to reach it
(`GET /api/client/studio/`, no credentials; the studio is the host's, or `?site=`)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.branding import DEFAULT_ACCENT, DEFAULT_PRIMARY, safe_colour, safe_font, shows_powered_by

from .renditions import PublicImageSerializer
from .site import require_studio, studio_root_url


class BrandingSerializer(serializers.Serializer):
    primary_color = serializers.CharField(help_text="`#rrggbb`")
    accent_color = serializers.CharField(help_text="`#rrggbb`")
    font_family = serializers.CharField(help_text="A CSS font stack.")
    logo = PublicImageSerializer(allow_null=True)
    powered_by_focusflow = serializers.BooleanField(
        help_text="Whether the studio's own site credits FocusFlow in its footer (false for white label)."
    )


class ContactSerializer(serializers.Serializer):
    email = serializers.EmailField(allow_blank=True)


class StudioProfileSerializer(serializers.Serializer):
    name = serializers.CharField()
    tagline = serializers.CharField(allow_blank=True)
    site_url = serializers.URLField(help_text="The studio's own site on FocusFlow.")
    time_zone = serializers.CharField(help_text="IANA name; availability's `local_*` times are in it.")
    currency = serializers.CharField(help_text="ISO 4217; every amount is in its minor units.")
    branding = BrandingSerializer()
    contact = ContactSerializer()


class StudioProfileView(APIView):
    """Who the studio is, for a custom site's header, footer and contact page."""

    authentication_classes: list = []

    @extend_schema(summary="Get the studio's public profile", responses={200: StudioProfileSerializer}, tags=["client"])
    def get(self, request):
        response = Response(studio_profile(request, require_studio(request)))
        response["Cache-Control"] = "public, max-age=60"
        return response


def studio_profile(request, studio) -> dict:
    """The profile's JSON (also embedded in the booking page's first state: frontend_api/templatetags)."""
    logo = studio.logo if studio.logo_id and studio.logo.studio_id == studio.pk else None
    return {
        "name": studio.name,
        "tagline": studio.tagline,
        "site_url": studio_root_url(request, studio),
        "time_zone": studio.time_zone,
        "currency": studio.currency.upper(),
        "branding": {
            "primary_color": safe_colour(studio.primary_color, DEFAULT_PRIMARY),
            "accent_color": safe_colour(studio.accent_color, DEFAULT_ACCENT),
            "font_family": safe_font(studio.font_family),
            "logo": PublicImageSerializer(logo, context={"request": request}).data if logo else None,
            "powered_by_focusflow": shows_powered_by(studio),
        },
        "contact": {"email": studio.contact_email},
    }
