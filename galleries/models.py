"""The studio's photos (a custom Wagtail image model) and client galleries."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.images.models import AbstractImage, AbstractRendition, Image, ImageQuerySet
from wagtail.models import Page

from cms.models import Studio


class StudioImageQuerySet(ImageQuerySet):
    def for_studio(self, studio):
        return self.filter(studio=studio)

    def public(self):
        """Images a studio shows on its site (portfolio); gallery photos stay private."""
        return self.filter(status=StudioImage.Status.READY)


class StudioImage(AbstractImage):
    """A photo owned by one studio, with what the pipeline learns about it."""

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

    admin_form_fields = Image.admin_form_fields

    objects = StudioImageQuerySet.as_manager()

    def save(self, *args, **kwargs):
        # Images uploaded through the admin land in a studio's collection:
        # the collection names the owner.
        if self.studio_id is None and self.collection_id:
            root = self.collection.get_ancestors(inclusive=True).filter(depth=2).first()
            if root is not None:
                self.studio = Studio.objects.filter(collection=root).first()
        super().save(*args, **kwargs)


class StudioRendition(AbstractRendition):
    image = models.ForeignKey(StudioImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class ClientGalleryIndexPage(Page):
    """The parent of a studio's client galleries; not listed publicly."""

    intro = RichTextField(blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.StudioHomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    template = "galleries/client_gallery_index_page.html"
