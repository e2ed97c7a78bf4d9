"""The studio's photos (a custom Wagtail image model) and client galleries."""

import os
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.shortcuts import redirect
from django.utils import timezone
from modelcluster.fields import ParentalKey
from PIL import Image as PILImage
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.images.models import AbstractImage, AbstractRendition, Image, ImageQuerySet, SourceImageIOError
from wagtail.models import Orderable, Page, PageManager, PageQuerySet
from wagtail.search import index

from crm.models import Client
from studios.media import studio_path
from studios.models import Studio, StudioKeyedChild, StudioOwned, StudioOwnedQuerySet

from .indexing import GalleryPhotoNotIndexed, ignore_outbound_references
from .panels import GalleryPhotosPanel


class StudioImageQuerySet(StudioOwnedQuerySet, ImageQuerySet):
    def public(self):
        """Images a studio shows on its site (portfolio); gallery photos stay private."""
        return self.filter(status=StudioImage.Status.READY, gallery_photos__isnull=True)


# What Willow and Pillow raise for a file that is not a readable image (willow's own is an OSError).
UNREADABLE_IMAGE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, PILImage.DecompressionBombError)


class StudioImage(GalleryPhotoNotIndexed, AbstractImage):
    """A photo owned by one studio, with what the pipeline learns about it.

    Gallery photos (`is_gallery_photo`) are a client gallery's private files: never search- or
    reference-indexed (galleries/indexing.py), and kept out of the Images library and its choosers
    (galleries/library.py); the photographer manages them in the gallery."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be processed"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    studio = models.ForeignKey(Studio, null=True, blank=True, on_delete=models.CASCADE, related_name="images")
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    original_filename = models.CharField(max_length=255, blank=True)
    camera = models.CharField(max_length=120, blank=True)
    lens = models.CharField(max_length=120, blank=True)
    focal_length = models.CharField(max_length=20, blank=True)
    aperture = models.CharField(max_length=20, blank=True)
    shutter_speed = models.CharField(max_length=20, blank=True)
    iso = models.PositiveIntegerField(null=True, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    blurhash = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY, db_index=True)
    failure_reason = models.TextField(blank=True)
    # The pipeline's bookkeeping (galleries.tasks.sweep_stuck_photos): when the photo was last handed to
    # the queue (null: not yet, e.g. a direct upload still on its way to S3) and how many times it was
    # queued again or started; a photo that never finishes is marked failed after PHOTO_MAX_ATTEMPTS.
    queued_at = models.DateTimeField(null=True, blank=True, db_index=True)
    pipeline_attempts = models.PositiveSmallIntegerField(default=0)
    is_gallery_photo = models.BooleanField(default=False, editable=False)

    admin_form_fields = Image.admin_form_fields
    # The filter lets the Images library's search leave gallery photos out (galleries/library.py).
    search_fields = AbstractImage.search_fields + [index.FilterField("is_gallery_photo")]

    objects = StudioImageQuerySet.as_manager()

    def generate_rendition_file(self, filter, *, source=None):
        # A file that is not an image (a zero-byte or text `.jpg` still waiting for the pipeline, a damaged
        # original) makes Willow/Pillow raise; as SourceImageIOError it is what Wagtail's `{% image %}` tag and
        # get_rendition_or_not_found() already handle, so a listing or chooser shows it as missing, not a 500.
        try:
            return super().generate_rendition_file(filter, source=source)
        except SourceImageIOError:
            raise
        except UNREADABLE_IMAGE_ERRORS as exc:
            raise SourceImageIOError(f"“{self.title}” is not an image that can be read ({exc}).") from exc

    def get_upload_to(self, filename):
        # Under the studio's own prefix (studios.media.studio_path): tenants/<id>/original_images/<name>.
        # save() names the studio from the collection before the file is stored.
        return studio_path(self.studio_id, super().get_upload_to(filename))

    def generate_rendition_instance(self, filter, source):
        # Wagtail bulk-creates several renditions at once (create_renditions): each carries the image's studio.
        rendition = super().generate_rendition_instance(filter, source)
        rendition.studio_id = self.studio_id
        rendition.file_size = rendition.file.size  # the in-memory file about to be stored: no storage call
        return rendition

    def save(self, *args, **kwargs):
        # Images uploaded through the admin land in a studio's collection:
        # the collection names the owner.
        if self.studio_id is None and self.collection_id:
            # From the database: collections are kept in name order, so adding a studio renumbers the paths of
            # the ones after it, and an in-memory collection's path may already name another studio's.
            collection = type(self.collection).objects.get(pk=self.collection_id)
            root = collection.get_ancestors(inclusive=True).filter(depth=2).first()
            if root is not None:
                self.studio = Studio.objects.filter(collection=root).first()
        super().save(*args, **kwargs)


ignore_outbound_references(StudioImage)


# Wagtail's resizing operations: a rendition made without one (`original`, `format-png`…) is the full-size photo.
RESIZING_OPERATIONS = ("max-", "min-", "fill-", "width-", "height-", "scale-")


def keeps_full_size(filter_spec: str) -> bool:
    for operation in filter_spec.split("|"):
        if operation.startswith("scale-"):
            return not operation[6:].isdigit() or int(operation[6:]) >= 100
        if operation.startswith(RESIZING_OPERATIONS):
            return False
    return True


class StudioRendition(StudioKeyedChild, AbstractRendition):
    STUDIO_FROM = "image"

    # The image's studio: none for an image in the platform's root collection (StudioImage.studio is nullable).
    studio = models.ForeignKey(
        Studio, null=True, on_delete=models.CASCADE, related_name="+", editable=False, db_index=False
    )
    image = models.ForeignKey(StudioImage, on_delete=models.CASCADE, related_name="renditions")
    # The file's length in bytes, from the bytes stored when the rendition was made (the pipeline, Wagtail's
    # get_rendition): a ZIP of 2,000 renditions announces its Content-Length without a stat (or, on S3, a
    # request) per file before its first byte (galleries.downloads). Null for renditions stored before it
    # (`manage.py backfill_rendition_sizes`); a ZIP then asks the storage.
    file_size = models.PositiveBigIntegerField(null=True, editable=False)

    def get_upload_to(self, filename):
        # Wagtail names a rendition after its image and spec; a client who sees the watermarked
        # `IMG_1.max-1600x1600.watermark-3.….webp` could guess the unwatermarked one's name. A random part
        # makes a rendition's URL something only the API hands out.
        stem, ext = os.path.splitext(filename)
        path = super().get_upload_to(f"{stem}.{secrets.token_urlsafe(9)}{ext}")
        if keeps_full_size(self.filter_spec or ""):
            # The original's pixels under another name (the admin's image page makes `original`): as
            # private as the original, so outside the public `images/` folder (studios/media.py).
            path = os.path.join("original_images", "renditions", os.path.basename(path))
        # Under the image's studio's prefix: tenants/<id>/images/… stays public, …/original_images/… private.
        return studio_path(self.studio_id or self.image.studio_id, path)

    def save(self, *args, **kwargs):
        # Wagtail's get_rendition() creates the row with the rendered file still in memory (get_or_create): its
        # size is known before it is stored. (Bulk-made ones: StudioImage.generate_rendition_instance; the
        # pipeline's: pipeline.save_renditions.)
        if self.file_size is None and self.file and not self.file._committed:
            self.file_size = self.file.size
        super().save(*args, **kwargs)

    class Meta:
        # Wagtail's own check (wagtailimages.E001) wants exactly this unique constraint, without the studio.
        unique_together = (("image", "filter_spec", "focal_point_key"),)
        indexes = [models.Index(fields=["studio", "image"], name="rendition_studio_image")]


class ClientGalleryIndexPage(Page):
    """The parent of a studio's client galleries; not listed publicly."""

    intro = RichTextField(blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.StudioHomePage"]
    subpage_types = ["galleries.Gallery"]
    max_count_per_parent = 1
    template = "galleries/client_gallery_index_page.html"


# --- Galleries --------------------------------------------------------------

ACCESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed


def new_access_code() -> str:
    # 10 symbols of 32: 50 bits, far beyond what the unlock throttle lets anyone try.
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(10))


def normalise_access_code(code: str) -> str:
    return "".join(code.split()).upper()


class StudioPageQuerySet(StudioOwnedQuerySet, PageQuerySet):
    pass


StudioPageManager = PageManager.from_queryset(StudioPageQuerySet)


class GalleryPageForm(WagtailAdminPageForm):
    """Offers only the gallery's own studio's clients (a plain select would list every tenant's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance if self.instance.pk else self.parent_page
        studio = Studio.objects.for_page(page).first() if page is not None else None
        self.studio = studio
        if "client" in self.fields:
            self.fields["client"].queryset = Client.objects.for_studio(studio) if studio else Client.objects.none()

    def clean_access_code(self):
        code = normalise_access_code(self.cleaned_data.get("access_code") or "")
        if len(code) < 6:
            raise ValidationError("Use at least 6 letters or digits, so nobody can guess it.")
        # Codes are typed on the studio's own site, so they are unique within the studio (not the platform).
        if Gallery.objects.filter(studio=self.studio, access_code=code).exclude(pk=self.instance.pk).exists():
            raise ValidationError("Another of your galleries already uses this code; pick another.")
        return code


class Gallery(Page):
    """A client gallery: content edited in Wagtail; its photos are GalleryPhoto rows, never in revisions."""

    class Resolution(models.TextChoices):
        WEB = "web", "Web size (2048 px)"
        FULL = "full", "Full resolution (originals)"

    class Sort(models.TextChoices):
        CAPTURED = "captured", "Capture time"
        FILENAME = "filename", "File name"
        MANUAL = "manual", "Manual order"

    # Set from the page's place in the tree (the studio's home page is its depth-2 ancestor) on the first save.
    # PROTECT, as Wagtail wants of a page's keys: offboarding deletes the studio's page tree before the studio.
    studio = models.ForeignKey(Studio, editable=False, on_delete=models.PROTECT, related_name="galleries")
    client = models.ForeignKey("crm.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="galleries")
    cover = models.ForeignKey(StudioImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    intro = RichTextField(blank=True)
    access_code = models.CharField(
        max_length=32, default=new_access_code, help_text="Clients unlock the gallery with this code."
    )
    download_pin = models.CharField(
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", "The PIN is 4 digits.")],
        help_text="Optional: clients need this 4-digit PIN to download.",
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="After this the gallery no longer opens.")
    downloadable = models.BooleanField(default=True)
    download_resolution = models.CharField(max_length=4, choices=Resolution.choices, default=Resolution.WEB)
    download_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Downloads allowed in this gallery, whoever downloads (each photo or ZIP counts one); "
        "empty for no limit.",
    )
    watermark = models.BooleanField(default=True, help_text="Show photos with the studio watermark.")
    selection_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many photos the client may select; empty for no limit."
    )
    sort = models.CharField(max_length=10, choices=Sort.choices, default=Sort.CAPTURED)

    content_panels = Page.content_panels + [
        GalleryPhotosPanel(heading="Photos"),
        FieldPanel("client"),
        FieldPanel("cover"),
        FieldPanel("intro"),
        InlinePanel("sets", label="Sets", heading="Sets (e.g. Ceremony, Reception)"),
    ]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [FieldPanel("access_code"), FieldPanel("download_pin"), FieldPanel("expires_at")], heading="Access"
        ),
        MultiFieldPanel(
            [
                FieldPanel("downloadable"),
                FieldPanel("download_resolution"),
                FieldPanel("download_limit"),
                FieldPanel("watermark"),
                FieldPanel("selection_limit"),
                FieldPanel("sort"),
            ],
            heading="Proofing and delivery",
        ),
    ]
    base_form_class = GalleryPageForm
    # A copy is a new gallery: it gets its own code (the field default) and none of the photos (rows).
    exclude_fields_in_copy = ["access_code"]
    parent_page_types = ["galleries.ClientGalleryIndexPage"]
    subpage_types: list[str] = []
    template = "galleries/client_gallery_index_page.html"

    objects = StudioPageManager()

    class Meta:
        verbose_name_plural = "galleries"
        # The expiry reminders' beat task finds galleries closing soon by this (tests/studios/test_due_work_indexes.py).
        indexes = [
            models.Index(
                fields=["expires_at"], name="gallery_expiry_due_idx", condition=models.Q(expires_at__isnull=False)
            )
        ]
        # Clients type the code on the studio's own site: it is unique within the studio (galleries.access).
        constraints = [models.UniqueConstraint(fields=["studio", "access_code"], name="gallery_studio_access_code")]

    def save(self, *args, **kwargs):
        if self.studio_id is None and self.path:
            # The studio's home page is the depth-2 ancestor.
            self.studio = Studio.objects.filter(home_page__path=self.path[: 2 * self.steplen]).first()
        self.access_code = normalise_access_code(self.access_code)
        super().save(*args, **kwargs)

    def serve(self, request, *args, **kwargs):
        # Galleries are private: the studio's site shows the "enter your code" page, never the gallery.
        return redirect(self.get_parent().url or "/")

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def photo_order(self) -> tuple[str, ...]:
        """The order clients see the photos in (and the gallery manager shows them in)."""
        return {
            self.Sort.CAPTURED: ("image__captured_at", "order", "id"),
            self.Sort.FILENAME: ("image__original_filename", "id"),
            self.Sort.MANUAL: ("order", "id"),
        }[self.sort]

    def photo_counts(self) -> dict[str, int]:
        """All the gallery's photos, those its clients see, hidden and failed ones: one query."""
        return self.photos.aggregate(
            total=models.Count("id"),
            ready=models.Count("id", filter=models.Q(image__status=StudioImage.Status.READY, hidden=False)),
            hidden=models.Count("id", filter=models.Q(hidden=True)),
            failed=models.Count("id", filter=models.Q(image__status=StudioImage.Status.FAILED)),
        )

    def ordered_photos(self):
        return self.photos.ready().order_by(*self.photo_order())


class GallerySet(StudioKeyedChild, Orderable):
    STUDIO_FROM = "gallery"

    gallery = ParentalKey(Gallery, on_delete=models.CASCADE, related_name="sets")
    name = models.CharField(max_length=100)

    panels = [FieldPanel("name")]

    class Meta(Orderable.Meta):
        # Sets added in code (the studio API, the demo) have no sort_order: keep them in the order they were made.
        ordering = ["sort_order", "pk"]
        indexes = [models.Index(fields=["studio", "gallery"], name="galleryset_studio_gallery")]

    def __str__(self):
        return self.name


class GalleryPhotoQuerySet(StudioOwnedQuerySet):
    def ready(self):
        """The photos the gallery's clients see: processed, and not hidden by the photographer."""
        return self.filter(image__status=StudioImage.Status.READY, hidden=False)


class GalleryPhoto(models.Model):
    """One photo in a gallery. The image carries the pipeline's status; sha256 is set once processed."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")
    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(StudioImage, on_delete=models.CASCADE, related_name="gallery_photos")
    set = models.ForeignKey(GallerySet, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    order = models.PositiveIntegerField(default=0)
    # Hidden by the photographer (the gallery manager): kept, but no client sees, favourites or downloads it.
    hidden = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GalleryPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "gallery", "sha256"],
                condition=~models.Q(sha256=""),
                name="unique_photo_per_studio_gallery",
            )
        ]

    def __str__(self):
        return self.filename

    @property
    def filename(self) -> str:
        return self.image.original_filename or os.path.basename(self.image.file.name)


class MultipartUpload(StudioOwned):
    """A photo on its way in parts (galleries.multipart): the browser uploads the parts it lacks (to presigned S3
    URLs, or on local storage to the admin's part view), resuming after a network drop or a reload; `complete`
    checks the file and registers the photo as any upload. `photo` is set once it is registered (completing
    again returns it). `s3_upload_id` is S3's UploadId, or on local storage the name of the parts' folder."""

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="+")
    set = models.ForeignKey(GallerySet, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    size = models.BigIntegerField()  # announced; the stored file may not be bigger
    part_size = models.PositiveIntegerField()
    key = models.CharField(max_length=500)
    s3_upload_id = models.CharField(max_length=1024)
    # One upload per photo, unique within the studio (a one-to-one field would be unique without it).
    photo = models.ForeignKey("GalleryPhoto", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)  # the abandoned-upload sweeper's search

    class Meta:
        constraints = [models.UniqueConstraint(fields=["studio", "photo"], name="multipartupload_studio_photo")]

    @property
    def part_count(self) -> int:
        return max(1, -(-self.size // self.part_size))


class GalleryPhotoCounter(StudioKeyedChild):
    """The last `order` an upload into the gallery took (galleries/uploads.py `_next_order`). A row of its own,
    not a Gallery field: Wagtail saves a page whole (from a revision, too), which would write an old value back."""

    STUDIO_FROM = "gallery"

    gallery = models.OneToOneField(Gallery, primary_key=True, on_delete=models.CASCADE, related_name="+")
    last_order = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["studio", "gallery"], name="photocounter_studio_gallery")]


class WatermarkSettings(models.Model):
    """The studio's watermark. Renditions carry `watermark-<version>` in their spec, so a change re-renders."""

    class Position(models.TextChoices):
        CENTER = "center", "Centre"
        BOTTOM_RIGHT = "bottom-right", "Bottom right"
        BOTTOM_LEFT = "bottom-left", "Bottom left"
        TOP_RIGHT = "top-right", "Top right"
        TOP_LEFT = "top-left", "Top left"

    studio = models.OneToOneField(Studio, on_delete=models.CASCADE, related_name="watermark_settings")
    text = models.CharField(max_length=100, blank=True, help_text="Used when no image is chosen.")
    image = models.ForeignKey(
        StudioImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="A PNG logo."
    )
    position = models.CharField(max_length=12, choices=Position.choices, default=Position.BOTTOM_RIGHT)
    opacity = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(5), MaxValueValidator(100)], help_text="Percent."
    )
    scale = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(100)],
        help_text="Watermark width as a percent of the photo's width.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    LOOK_FIELDS = ("text", "image_id", "position", "opacity", "scale")

    def __str__(self):
        return f"Watermark of {self.studio}"

    def save(self, *args, **kwargs):
        if self.pk:
            before = WatermarkSettings.objects.filter(pk=self.pk).values(*self.LOOK_FIELDS).first()
            if before and any(before[f] != getattr(self, f) for f in self.LOOK_FIELDS):
                self.version = (WatermarkSettings.objects.filter(pk=self.pk).values_list("version", flat=True)[0]) + 1
        super().save(*args, **kwargs)

    @classmethod
    def for_studio(cls, studio) -> "WatermarkSettings":
        obj, _ = cls.objects.get_or_create(studio=studio, defaults={"text": f"© {studio.name}"})
        return obj


# --- What clients do in a gallery -------------------------------------------


class ShareLink(StudioOwned):
    """A recipient's own link to a gallery (galleries.sharing): opening it unlocks the gallery for them alone,
    with its own expiry and download allowance (counted in their DownloadAllowance row), until the
    photographer revokes it. Only the token's hash is stored; the link is shown once and e-mailed."""

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="share_links")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    token_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(null=True, blank=True)  # none: open as long as the gallery is
    download_limit = models.PositiveIntegerField(null=True, blank=True)  # none: no limit
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # first opened
    last_opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["studio", "token_hash"], name="sharelink_studio_token")]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class GalleryAccess(StudioKeyedChild):
    """One unlock of a gallery: the client's token (stored hashed), who they said they are, until when; for an
    unlock through a recipient's own link, that link (its expiry, revocation and allowance then apply)."""

    STUDIO_FROM = "gallery"

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="accesses")
    share_link = models.ForeignKey(ShareLink, null=True, blank=True, on_delete=models.CASCADE, related_name="accesses")
    token_hash = models.CharField(max_length=64)
    email = models.EmailField(blank=True)
    pin_ok = models.BooleanField(default=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "gallery accesses"
        constraints = [models.UniqueConstraint(fields=["studio", "token_hash"], name="unique_access_token")]
        indexes = [models.Index(fields=["studio", "gallery", "-created_at"], name="access_studio_gallery")]


class PinAttemptWindow(StudioOwned):
    """Download-PIN attempts on one gallery in one fixed time window, one row per limit (galleries.attempts)."""

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="pin_attempt_windows")
    seconds = models.PositiveIntegerField()  # the window's length: which limit this row counts for
    starts_at = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    reported = models.BooleanField(default=False)  # the photographer has been told this window locked

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "gallery", "seconds", "starts_at"], name="unique_pin_attempt_window"
            )
        ]

    @property
    def ends_at(self):
        return self.starts_at + timedelta(seconds=self.seconds)


class Favorite(StudioKeyedChild):
    DEFAULT_LIST = "Favourites"
    STUDIO_FROM = "gallery"

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="favorites")
    photo = models.ForeignKey(GalleryPhoto, on_delete=models.CASCADE, related_name="favorites")
    email = models.EmailField(blank=True)
    list_name = models.CharField(max_length=60, default=DEFAULT_LIST)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["studio", "photo", "email", "list_name"], name="unique_favorite_per_list")
        ]
        indexes = [models.Index(fields=["studio", "gallery", "email"], name="favorite_studio_gallery")]


class Selection(StudioKeyedChild):
    """The photos a client picks for proofing; locked once submitted."""

    STUDIO_FROM = "gallery"

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="selections")
    email = models.EmailField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["studio", "gallery", "email"], name="unique_selection_per_client")
        ]


class SelectionItem(StudioKeyedChild):
    STUDIO_FROM = "selection"

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="items")
    photo = models.ForeignKey(GalleryPhoto, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["studio", "selection", "photo"], name="unique_selection_item")]


class Comment(StudioKeyedChild):
    STUDIO_FROM = "gallery"

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="comments")
    photo = models.ForeignKey(GalleryPhoto, on_delete=models.CASCADE, related_name="comments")
    email = models.EmailField(blank=True)
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["studio", "gallery", "email"], name="comment_studio_gallery")]


class DownloadAllowance(StudioKeyedChild):
    """Downloads used in a gallery. The grant a client holds is the gallery's code and PIN, not the e-mail they
    type (anyone may type a new one), so the allowance is the gallery's; a conditional UPDATE keeps concurrent
    requests from overrunning it (galleries.downloads.use_one_download). A recipient's own link (ShareLink) is
    a grant of its own: its downloads are counted in a row of their own (`share_link` set)."""

    STUDIO_FROM = "gallery"

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="+")
    share_link = models.ForeignKey(ShareLink, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "gallery"],
                condition=models.Q(share_link__isnull=True),
                name="unique_allowance_per_gallery",
            ),
            models.UniqueConstraint(
                fields=["studio", "share_link"],
                condition=models.Q(share_link__isnull=False),
                name="unique_allowance_per_share_link",
            ),
        ]


class DownloadEvent(StudioKeyedChild):
    class Kind(models.TextChoices):
        WEB = "web", "Photo (web size)"
        FULL = "full", "Photo (original)"
        ZIP = "zip", "ZIP"

    STUDIO_FROM = "gallery"

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="downloads")
    photo = models.ForeignKey(GalleryPhoto, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    set = models.ForeignKey(GallerySet, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    email = models.EmailField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["studio", "gallery", "-created_at"], name="download_studio_gallery")]


class GalleryArchive(StudioKeyedChild):
    """A gallery's web-size "Download all" ZIP, written once ahead of the first click (galleries/archives.py)
    and served as one stored file: sendfile on local storage, a presigned URL on S3. Named by `key`, a digest
    of what the ZIP holds (each entry's path, stored file and length): a gallery changed in any way a ZIP shows
    (a photo added, hidden or reordered, a set renamed, a new watermark) has another key, so a stale archive is
    never served; it is marked `superseded_at` and its file deleted a while later (a link to it may still be in
    flight)."""

    STUDIO_FROM = "gallery"

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)
    file = models.FileField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["studio", "gallery", "key"], name="unique_gallery_archive")]
        indexes = [models.Index(fields=["superseded_at"], name="archive_superseded")]


class ExpiryReminder(StudioKeyedChild):
    """One 'your gallery closes in N days' e-mail sent; the unique row keeps the daily task idempotent."""

    STUDIO_FROM = "gallery"

    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="expiry_reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["studio", "gallery", "days_before"], name="unique_expiry_reminder")
        ]
