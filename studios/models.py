"""The tenancy core: a Studio (tenant), its members and custom domains, and the `StudioOwned` base
every tenant table uses. Table names are the ones these models had in `cms` (no data moved)."""

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from wagtail.models import Page

PAGE_PATH_STEP = Page.steplen


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone (try Europe/London or America/New_York).")


class StudioQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def for_page(self, page):
        """The studio whose tree holds `page` (its home page is the depth-2 ancestor)."""
        if page.depth < 2:
            return self.none()
        return self.filter(home_page__path=page.path[: 2 * PAGE_PATH_STEP])


class Studio(models.Model):
    """A tenant: one photography business with its own site, pages, media and staff."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=50, unique=True, help_text="Your site lives at <slug>.<platform domain>.")
    contact_email = models.EmailField(blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code, e.g. USD, EUR, GBP.")
    created_at = models.DateTimeField(auto_now_add=True)

    # Provisioned with the studio (studios.provisioning.create_studio).
    site = models.OneToOneField(
        "wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="studio"
    )
    home_page = models.OneToOneField(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection", null=True, blank=True, on_delete=models.SET_NULL, related_name="studio"
    )
    group = models.OneToOneField("auth.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="studio")

    # Branding for the white-label site.
    tagline = models.CharField(max_length=200, blank=True)
    primary_color = models.CharField(max_length=7, default="#1f2933")
    accent_color = models.CharField(max_length=7, default="#c8a97e")
    font_family = models.CharField(max_length=80, default="Georgia, 'Times New Roman', serif")
    logo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # White-label sites hide "Powered by FocusFlow" (cms.theme.shows_powered_by).
    white_label = models.BooleanField(default=False)
    # Headless preview: the studio's own client site renders drafts here.
    preview_url = models.URLField(
        blank=True, help_text="Your client site's preview page, e.g. https://example.com/preview"
    )

    objects = StudioQuerySet.as_manager()

    class Meta:
        db_table = "cms_studio"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def hostname(self):
        return f"{self.slug}.{settings.BASE_DOMAIN}"

    def clean(self):
        # A studio called "app" must not take over app.<BASE_DOMAIN>, the admin's host in production.
        if self.slug and is_platform_hostname(self.hostname):
            raise ValidationError({"slug": "This address is reserved for the platform; choose another."})

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def owns_page(self, page):
        return self.home_page_id is not None and page.path.startswith(self.home_page.path)


class StudioOwnedQuerySet(models.QuerySet):
    """Every tenant-owned queryset starts from the studio: `Model.objects.for_studio(studio)`."""

    def for_studio(self, studio):
        return self.filter(studio=studio)


class StudioOwned(models.Model):
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")

    objects = StudioOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class Membership(StudioOwned):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        STAFF = "staff", "Staff"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cms_membership"
        constraints = [models.UniqueConstraint(fields=["studio", "user"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} — {self.studio} ({self.get_role_display()})"


def new_verification_token():
    return f"focusflow-verify={secrets.token_urlsafe(24)}"


class StudioDomain(StudioOwned):
    """A custom domain (e.g. photos.northlight.com). It answers only once verified."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="domains")
    hostname = models.CharField(max_length=253, help_text="e.g. photos.example.com (no scheme, no port)")
    verification_token = models.CharField(max_length=80, default=new_verification_token, editable=False)
    is_verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cms_studiodomain"
        constraints = [models.UniqueConstraint(Lower("hostname"), name="unique_domain_hostname")]

    def __str__(self):
        return self.hostname

    def clean(self):
        self.hostname = normalise_hostname(self.hostname)
        if self.hostname.endswith("." + settings.BASE_DOMAIN) or is_platform_hostname(self.hostname):
            raise ValidationError({"hostname": "This is a platform address; add a domain you own."})


def normalise_hostname(value: str) -> str:
    return value.strip().lower().rstrip(".").split(":")[0]


def is_platform_hostname(hostname: str) -> bool:
    """The platform's own hosts (the admin's among them): never a studio's site."""
    platform = {normalise_hostname(h) for h in (*settings.PLATFORM_HOSTS, *settings.ADMIN_HOSTS)}
    return normalise_hostname(hostname) in platform
