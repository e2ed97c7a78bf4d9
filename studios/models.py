"""The tenancy core: a Studio (tenant), its members and custom domains, and the `StudioOwned` base
every tenant table uses. Table names are the ones these models had in `cms` (no data moved)."""

import functools
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from wagtail.models import Page

PAGE_PATH_STEP = Page.steplen


@functools.cache
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk at each call (19 ms of every studio's provisioning).
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value):
    if value not in _time_zones():
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
    # What of a photo's metadata its client files keep (galleries.client_files): GPS, serial numbers and
    # maker notes never leave; the photographer's credit (artist, copyright) does unless they say not.
    keep_copyright_metadata = models.BooleanField(
        "Keep copyright in photos",
        default=True,
        help_text="Client files (previews, web downloads) keep the photo's artist and copyright. GPS position, "
        "camera serial numbers and maker notes are always removed.",
    )
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


class StudioKeyedChildQuerySet(StudioOwnedQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create() calls no save(): rows that lack their studio get their parent's here (one query).
        objs = list(objs)
        self.model.stamp_studio(objs)
        return super().bulk_create(objs, *args, **kwargs)


class StudioKeyedChild(models.Model):
    """A tenant row that belongs to a parent row (an invoice's line, a gallery's favourite): it carries its parent's
    `studio` key as well, so every tenant table can be filtered, protected (row-level security) and sharded by the
    studio without a join. `save()` and `bulk_create()` copy the parent's studio when the row has none; code that
    knows the studio sets it explicitly. Subclasses name the parent in `STUDIO_FROM` and lead their composite
    indexes and unique constraints with `studio` (the key's own index is one of those)."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+", editable=False, db_index=False)

    STUDIO_FROM = ""  # the foreign key to the parent whose studio the row carries

    objects = StudioKeyedChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.stamp_studio([self])
        super().save(*args, **kwargs)

    @classmethod
    def stamp_studio(cls, objs) -> None:
        """Give each row without a studio its parent's (from a loaded parent, else one query for all of them); a
        row whose loaded parent belongs to another studio is refused (ValueError), as row-level security would."""
        field = cls._meta.get_field(cls.STUDIO_FROM)
        missing = []
        for obj in objs:
            parent = getattr(obj, field.name) if field.is_cached(obj) else None
            if obj.studio_id is not None:
                if parent is not None and parent.studio_id is not None and parent.studio_id != obj.studio_id:
                    raise ValueError(f"A {cls._meta.verbose_name} belongs to its {field.name}'s studio.")
                continue
            if parent is not None and parent.studio_id is not None:
                obj.studio_id = parent.studio_id
            elif getattr(obj, field.attname) is not None:
                missing.append(obj)
        if missing:
            parents = field.related_model._base_manager.filter(pk__in={getattr(o, field.attname) for o in missing})
            studio_of = dict(parents.values_list("pk", "studio_id"))
            for obj in missing:
                obj.studio_id = studio_of.get(getattr(obj, field.attname))


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


class OutgoingEmail(StudioOwned):
    """The e-mail outbox: one row per logical message, written in the transaction that decides to send it,
    rendered then, delivered after commit and retried by a beat sweeper until it is sent or gives up
    (`studios/outbox.py`)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"
        SUPPRESSED = "suppressed", "Not sent (bounced, complained or unsubscribed)"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="outgoing_emails")
    key = models.CharField(max_length=200, help_text="One logical message: queueing the same key again sends nothing.")
    template = models.CharField(max_length=100)
    to = models.JSONField(default=list)
    from_email = models.CharField(max_length=400, blank=True, help_text='"Studio name" <platform address>')
    reply_to = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True, help_text="Extra headers (List-Unsubscribe…).")
    # Marketing-type messages honour unsubscribes; transactional ones only bounces and complaints.
    marketing = models.BooleanField(default=False)
    provider_message_id = models.CharField(
        max_length=200, blank=True, db_index=True, help_text="The e-mail provider's id (its tracking webhooks name it)."
    )
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True, help_text="[{filename, mimetype, base64}]")
    # What the message is about (a booking, a contract, an invoice…): the failure lands on its client's timeline.
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    about_id = models.CharField(max_length=40, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True, help_text="When the sweeper sends it if nothing has.")
    leased_until = models.DateTimeField(null=True, blank=True, help_text="A worker is sending it until then.")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["studio", "key"], name="unique_outgoing_email_key")]
        indexes = [models.Index(fields=["studio", "state", "-created_at"], name="outgoing_email_studio_state")]

    def __str__(self):
        return f"{self.template} to {', '.join(self.to)} ({self.get_state_display()})"


class EmailTemplate(StudioOwned):
    """A studio's own wording of one of the platform's e-mails (`key`, from studios.emails' registry): subject and
    body in the sandbox's `{{ variables }}`. Without a row, or with a row that `follows_default` (made for the
    admin's list and never changed, or reset), the platform's current default is sent, so a later change to a
    default reaches every studio that has not written its own."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="email_templates")
    key = models.CharField(max_length=60)
    subject = models.CharField(max_length=300)
    body = models.TextField(help_text="Plain text; a blank line starts a new paragraph, links are made clickable.")
    # True: the studio has not written its own wording; subject and body are a copy of the default, refreshed
    # when the admin shows them (studios.email_admin), and never what is sent.
    follows_default = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["studio", "key"], name="unique_email_template_key")]
        verbose_name = "e-mail template"

    def __str__(self):
        return self.key  # the admin shows the registry's label (studios.email_admin)


class EmailRecipient(StudioOwned):
    """What one address has told one studio: unsubscribed from marketing-type e-mail, or suppressed after a
    bounce or a complaint (reported by the provider's tracking webhook); per studio, by lower-cased address."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Marked as spam"
        REJECTED = "rejected", "Rejected by the provider"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="email_recipients")
    address = models.EmailField(max_length=254)
    marketing_opt_out_at = models.DateTimeField(null=True, blank=True, help_text="Unsubscribed from marketing e-mail.")
    suppressed_at = models.DateTimeField(null=True, blank=True, help_text="Nothing is sent to it any more.")
    suppressed_reason = models.CharField(max_length=12, choices=Reason.choices, blank=True)
    suppressed_detail = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["address"]
        constraints = [models.UniqueConstraint(fields=["studio", "address"], name="unique_email_recipient")]

    def __str__(self):
        return self.address


def is_platform_hostname(hostname: str) -> bool:
    """The platform's own hosts (the admin's among them): never a studio's site."""
    platform = {normalise_hostname(h) for h in (*settings.PLATFORM_HOSTS, *settings.ADMIN_HOSTS)}
    return normalise_hostname(hostname) in platform


def studio_currency(studio_id) -> str:
    """The currency a studio's prices are typed in ("USD" when there is no studio yet, as the field's default)."""
    if studio_id is None:
        return "USD"
    return Studio.objects.filter(pk=studio_id).values_list("currency", flat=True).first() or "USD"
