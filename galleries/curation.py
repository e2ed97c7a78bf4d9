"""Curating a gallery's photos in the gallery manager: the grid's rows, and what the photographer does to a
selection of them (reorder, move to a set, hide, delete, set as cover, retry a failed upload).

Every function takes the gallery (already scoped to the photographer's studio) and the photo ids the browser
sent; ids that are not this gallery's photos refuse the whole action (PhotosNotFound, a 404), so another
studio's ids change nothing. Changes made with QuerySet.update() send no signal: each one forgets the
gallery's cached client photo pages itself (galleries.photo_cache)."""

import os
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from studios.errors import INVALID, NOT_FOUND, DomainError
from studios.media import media_urls

from .models import Favorite, Gallery, GalleryPhoto, SelectionItem, StudioImage, StudioRendition, WatermarkSettings
from .photo_cache import forget_gallery_photo_pages
from .renditions import rendition_specs
from .tasks import queue_photo

UNFINISHED = (StudioImage.Status.PENDING, StudioImage.Status.PROCESSING)
# What the grid's status filter offers, in the photographer's words.
STATUS_FILTERS = {
    "processing": {"image__status__in": UNFINISHED},
    "ready": {"image__status": StudioImage.Status.READY, "hidden": False},
    "failed": {"image__status": StudioImage.Status.FAILED},
    "hidden": {"hidden": True},
}
# The grid's columns of each photo, read as plain values (GridTile): no model instances.
GRID_COLUMNS = (
    "id",
    "image_id",
    "hidden",
    "set__name",
    "image__file",
    "image__original_filename",
    "image__status",
    "image__failure_reason",
)


@dataclass(frozen=True, slots=True)
class GridTile:
    """One photo as the manager's grid shows it. Built from a row of values: a page of 200 photos as model
    instances (photo, image, set, thumbnail rendition) and 200 `storage.url()` calls was a good part of the
    page's time (issue 14)."""

    pk: str  # as text: written three times per tile, and an int goes through number localisation each time
    filename: str
    status: str
    failure_reason: str
    hidden: bool
    set_name: str | None
    favourited: bool
    selected: bool
    cover: bool
    thumb_url: str | None  # the client thumbnail; None until the pipeline has made it


class PhotosNotFound(DomainError):
    code = "not_found"
    kind = NOT_FOUND

    def __init__(self):
        super().__init__(message="Some of these photos are not in this gallery. Reload the page and try again.")


class CurationRefused(DomainError):
    code = "invalid"
    kind = INVALID

    def __init__(self, message: str):
        super().__init__(message=message)


def _photos(gallery: Gallery):
    return GalleryPhoto.objects.for_studio(gallery.studio).filter(gallery=gallery)


def chosen_photos(gallery: Gallery, ids) -> list[int]:
    """The ids, checked to be all this gallery's photos (one query), or PhotosNotFound."""
    wanted = {int(i) for i in ids}
    if not wanted:
        raise CurationRefused("Select one or more photos first.")
    found = set(_photos(gallery).filter(pk__in=wanted).values_list("pk", flat=True))
    if found != wanted:
        raise PhotosNotFound()
    return sorted(found)


# --- The grid ---------------------------------------------------------------------------------


def grid_photos(gallery: Gallery, *, photo_set=None, no_set=False, status="", favourited=None, selected=None):
    """The gallery's photos as the manager shows them (every status, hidden ones too), in the clients' order,
    filtered: rows of GRID_COLUMNS with `favourited`, `selected` and `thumb_file` (the client thumbnail's
    file, in the same query). Slice it (a page), then make tiles of the rows with grid_tiles()."""
    favourites = Favorite.objects.filter(photo=OuterRef("pk"))
    submitted = SelectionItem.objects.filter(photo=OuterRef("pk"), selection__submitted_at__isnull=False)
    thumb = rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)["thumb"]
    thumbs = StudioRendition.objects.filter(image=OuterRef("image_id"), filter_spec=thumb).values("file")[:1]
    photos = (
        _photos(gallery)
        .annotate(favourited=Exists(favourites), selected=Exists(submitted))
        .order_by(*gallery.photo_order())
    )
    if photo_set is not None:
        photos = photos.filter(set=photo_set)
    elif no_set:
        photos = photos.filter(set__isnull=True)
    if status in STATUS_FILTERS:
        photos = photos.filter(**STATUS_FILTERS[status])
    if favourited is not None:
        photos = photos.filter(favourited=favourited)
    if selected is not None:
        photos = photos.filter(selected=selected)
    return photos.values(*GRID_COLUMNS, "favourited", "selected", thumb_file=Subquery(thumbs))


def grid_tiles(gallery: Gallery, rows) -> list[GridTile]:
    """Tiles of grid_photos() rows, thumbnail URLs joined to the storage's base (studios.media.media_urls)."""
    url = media_urls(StudioRendition._meta.get_field("file").storage)
    return [
        GridTile(
            pk=str(row["id"]),
            filename=row["image__original_filename"] or os.path.basename(row["image__file"]),  # GalleryPhoto.filename
            status=row["image__status"],
            failure_reason=row["image__failure_reason"],
            hidden=row["hidden"],
            set_name=row["set__name"],
            favourited=row["favourited"],
            selected=row["selected"],
            cover=row["image_id"] == gallery.cover_id,
            thumb_url=url(row["thumb_file"]) if row["thumb_file"] else None,
        )
        for row in rows
    ]


def status_counts(gallery: Gallery) -> dict[str, int]:
    """How many photos are processing, ready (shown to clients), failed and hidden: one query."""
    return _photos(gallery).aggregate(
        total=Count("id"),
        **{name: Count("id", filter=Q(**lookup)) for name, lookup in STATUS_FILTERS.items()},
    )


# --- Actions ----------------------------------------------------------------------------------


@transaction.atomic
def reorder(gallery: Gallery, ids) -> int:
    """The photographer dragged photos: `ids` are the photos shown (a page of the grid, perhaps filtered) in
    their new order. They take the places those photos held in the gallery's order, so photos on other pages
    or filtered out keep theirs. The gallery changes to Manual order, starting from the order its clients saw.
    Returns how many rows changed."""
    new_order = [int(i) for i in ids]
    if len(set(new_order)) != len(new_order):
        raise CurationRefused("A photo appears twice in the new order. Reload the page and try again.")
    chosen_photos(gallery, new_order)
    # The whole gallery's order (ids only: 2,000 integers), locked so two tabs reordering at once serialise.
    everyone = list(
        _photos(gallery).select_for_update(of=("self",)).order_by(*gallery.photo_order()).values_list("pk", "order")
    )
    current = [pk for pk, _ in everyone]
    position = {pk: i for i, pk in enumerate(current)}
    places = sorted(position[pk] for pk in new_order)
    for place, pk in zip(places, new_order, strict=True):
        current[place] = pk
    before = dict(everyone)
    changed = [
        GalleryPhoto(pk=pk, order=position) for position, pk in enumerate(current, start=1) if before[pk] != position
    ]
    GalleryPhoto.objects.bulk_update(changed, ["order"], batch_size=500)
    if gallery.sort != Gallery.Sort.MANUAL:
        set_page_fields(gallery, sort=Gallery.Sort.MANUAL)
    forget_gallery_photo_pages(gallery.pk)
    return len(changed)


@transaction.atomic
def move_to_position(gallery: Gallery, ids, position) -> int:
    """Move the selected photos, in their present order, to `position` (1 = the first place) of the whole
    gallery's order, whatever page they are on: a move across pages of the grid. A position past the end puts
    them last. The gallery changes to Manual order. Returns how many rows changed."""
    try:
        position = int(position)
    except (TypeError, ValueError):
        raise CurationRefused("Give the position to move the photos to (1 is the first).") from None
    if position < 1:
        raise CurationRefused("Positions start at 1 (the first photo).")
    chosen = set(chosen_photos(gallery, ids))
    everyone = list(
        _photos(gallery).select_for_update(of=("self",)).order_by(*gallery.photo_order()).values_list("pk", "order")
    )
    moving = [pk for pk, _ in everyone if pk in chosen]
    staying = [pk for pk, _ in everyone if pk not in chosen]
    at = min(position - 1, len(staying))
    current = staying[:at] + moving + staying[at:]
    before = dict(everyone)
    changed = [GalleryPhoto(pk=pk, order=n) for n, pk in enumerate(current, start=1) if before[pk] != n]
    GalleryPhoto.objects.bulk_update(changed, ["order"], batch_size=500)
    if gallery.sort != Gallery.Sort.MANUAL:
        set_page_fields(gallery, sort=Gallery.Sort.MANUAL)
    forget_gallery_photo_pages(gallery.pk)
    return len(changed)


@transaction.atomic
def move_to_set(gallery: Gallery, ids, set_id) -> int:
    """Move the photos into one of the gallery's sets (`set_id` None: into no set)."""
    photo_set = None
    if set_id not in (None, ""):
        photo_set = gallery.sets.filter(pk=int(set_id) if str(set_id).isdigit() else 0).first()
        if photo_set is None:
            raise CurationRefused("That set is not in this gallery. Reload the page and choose another.")
    moved = _photos(gallery).filter(pk__in=chosen_photos(gallery, ids)).update(set=photo_set)
    forget_gallery_photo_pages(gallery.pk)
    return moved


@transaction.atomic
def set_hidden(gallery: Gallery, ids, hidden: bool) -> int:
    """Hide the photos from the gallery's clients (kept, with their favourites), or show them again."""
    changed = _photos(gallery).filter(pk__in=chosen_photos(gallery, ids)).update(hidden=hidden)
    forget_gallery_photo_pages(gallery.pk)
    return changed


@transaction.atomic
def delete_photos(gallery: Gallery, ids) -> int:
    """Delete the photos and their images (files, renditions, favourites and comments go with them), unless
    an image is also in another gallery, where it stays."""
    chosen = chosen_photos(gallery, ids)
    image_ids = set(_photos(gallery).filter(pk__in=chosen).values_list("image_id", flat=True))
    shared = set(
        GalleryPhoto.objects.filter(image_id__in=image_ids).exclude(pk__in=chosen).values_list("image_id", flat=True)
    )
    _photos(gallery).filter(pk__in=chosen).delete()
    # Wagtail deletes an image's file and renditions' files once this commits (its post_delete handler).
    StudioImage.objects.for_studio(gallery.studio).filter(pk__in=image_ids - shared).delete()
    forget_gallery_photo_pages(gallery.pk)
    return len(chosen)


@transaction.atomic
def set_cover(gallery: Gallery, ids) -> GalleryPhoto:
    """The one selected photo, if processed, becomes the gallery's cover."""
    chosen = chosen_photos(gallery, ids)
    if len(chosen) != 1:
        raise CurationRefused("Select exactly one photo to make it the cover.")
    photo = _photos(gallery).select_related("image").get(pk=chosen[0])
    if photo.image.status != StudioImage.Status.READY:
        raise CurationRefused("Only a processed photo can be the cover; wait until it is ready.")
    set_page_fields(gallery, cover=photo.image)
    return photo


def retry_failed(gallery: Gallery, ids) -> tuple[int, list[str]]:
    """Queue the failed photos' processing again. A photo whose file the pipeline discarded (it was not an
    image we can use) cannot be retried: its name is returned, to upload again. Returns (queued, names)."""
    chosen = chosen_photos(gallery, ids)
    failed = list(
        _photos(gallery).filter(pk__in=chosen, image__status=StudioImage.Status.FAILED).select_related("image")
    )
    if not failed:
        raise CurationRefused("None of the selected photos failed; only failed uploads can be retried.")
    queued, gone = [], []
    for photo in failed:
        name = photo.image.file.name
        (queued if name and photo.image.file.storage.exists(name) else gone).append(photo)
    with transaction.atomic():
        StudioImage.objects.filter(pk__in=[p.image_id for p in queued]).update(
            status=StudioImage.Status.PENDING, failure_reason="", queued_at=timezone.now(), pipeline_attempts=0
        )
        for photo in queued:
            queue_photo(photo.pk)
        forget_gallery_photo_pages(gallery.pk)
    return len(queued), [p.filename for p in gone]


def set_page_fields(gallery: Gallery, **fields) -> None:
    """Change settings of the gallery page (cover, sort) without publishing anybody's draft: the live page
    changes now, and so does its latest revision, so the editor shows the change and the next publish keeps
    it. (Saving a new revision and publishing it would publish the photographer's unfinished edits too.)"""
    Gallery.objects.filter(pk=gallery.pk).update(**fields)
    for name, value in fields.items():
        setattr(gallery, name, value)
    revision = gallery.latest_revision
    if revision is not None:
        revision.content.update({name: getattr(value, "pk", value) for name, value in fields.items()})
        revision.save(update_fields=["content"])
    forget_gallery_photo_pages(gallery.pk)
