"""Gallery photos are private files of one client gallery: nobody searches them and nothing links to them, so
Wagtail's search index and reference index never see them (issue 14: half of an upload's queries went there).

- Search: `StudioImage.get_indexed_objects()` leaves gallery photos out (so `update_index` skips them) and
  `get_indexed_instance()` returns None for one (Wagtail's documented per-object opt-out: an admin edit of a
  gallery photo is not indexed either). Studio images in the Images library are indexed as before.
- References: Wagtail's reference index records what an object *points to*. A StudioImage points only to its
  collection, its uploader and its studio, which no Wagtail screen lists usages of; those fields carry
  `wagtail_reference_index_ignore`, so the image model is not registered in the index at all and saving an
  image records nothing. References *to* images (a page's cover, a block's image) are recorded from the pages
  as before, so an image's "Usage" still counts them; deleting an image still removes the references to it.
- The upload itself inserts the row with `bulk_create` (galleries/uploads.py): no signal at all, so not even the
  search task's re-read of the row."""

from django.db.models.signals import post_delete
from modelsearch import index

# StudioImage's outbound relations (AbstractImage's and ours): none is worth a reference-index row.
IGNORED_REFERENCES = ("collection", "uploaded_by_user", "studio")


class GalleryPhotoNotIndexed(index.Indexed):
    """Mixed into StudioImage: gallery photos stay out of the search index."""

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().filter(is_gallery_photo=False)

    def get_indexed_instance(self):
        return None if self.is_gallery_photo else super().get_indexed_instance()


def ignore_outbound_references(model) -> None:
    """Called at class creation (galleries/models.py), before Wagtail registers the image model in
    its reference index (wagtail.images' ready()): it then finds nothing to index and tracks no signal."""
    for name in IGNORED_REFERENCES:
        model._meta.get_field(name).wagtail_reference_index_ignore = True


def _forget_references_to(sender, instance, **kwargs):
    # What Wagtail's own post_delete handler did while the model was tracked: a deleted image's usages go.
    from wagtail.models import ReferenceIndex  # noqa: PLC0415 - needs the app registry; called at run time

    ReferenceIndex.remove_for_object(instance)  # rows an image saved before it was untracked
    ReferenceIndex.remove_references_to(instance)


def connect(model) -> None:
    post_delete.connect(_forget_references_to, sender=model, dispatch_uid="galleries_forget_references_to_image")
