"""What clients do with photos: favourites in named lists, a selection up to the gallery's limit
(submitted and locked, the photographer told by e-mail), comments; the Lightroom export of a selection."""

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail import hooks

from studios import events, rls
from studios.errors import CONFLICT, INVALID, NOT_FOUND, DomainError
from studios.links import studio_url
from studios.outbox import queue_studio_mail

from .models import Comment, ExpiryReminder, Favorite, Gallery, GalleryPhoto, Selection, SelectionItem


def photo_in(gallery, photo_id) -> GalleryPhoto:
    photo = GalleryPhoto.objects.ready().filter(gallery=gallery, pk=photo_id).select_related("image").first()
    if photo is None:
        raise DomainError(
            "photo_not_found", "That photo is not in this gallery.", NOT_FOUND, fields={"photo": ["Not found."]}
        )
    return photo


# --- Favourites ------------------------------------------------------------


def add_favorite(gallery, email: str, photo: GalleryPhoto, list_name: str = "") -> tuple[Favorite, bool]:
    list_name = (list_name or Favorite.DEFAULT_LIST).strip()[:60]
    try:
        with transaction.atomic():
            return Favorite.objects.get_or_create(
                studio_id=gallery.studio_id, gallery=gallery, photo=photo, email=email, list_name=list_name
            )
    except IntegrityError:  # the same click twice at once
        mine = Favorite.objects.filter(studio_id=gallery.studio_id, gallery=gallery)
        return mine.get(photo=photo, email=email, list_name=list_name), False


def remove_favorite(gallery, email: str, photo: GalleryPhoto, list_name: str = "") -> int:
    favorites = Favorite.objects.filter(studio_id=gallery.studio_id, gallery=gallery, photo=photo, email=email)
    if list_name:
        favorites = favorites.filter(list_name=list_name)
    return favorites.delete()[0]


def favorite_lists(gallery, email: str) -> dict[str, list[int]]:
    lists: dict[str, list[int]] = {}
    for name, photo_id in (
        Favorite.objects.filter(gallery=gallery, email=email).order_by("list_name", "created_at", "id")
    ).values_list("list_name", "photo_id"):
        lists.setdefault(name, []).append(photo_id)
    return lists


# --- Selection ---------------------------------------------------------------


def selection_for(gallery, email: str) -> Selection:
    selection, _ = Selection.objects.get_or_create(studio_id=gallery.studio_id, gallery=gallery, email=email)
    return selection


def _locked_selection(gallery, email: str) -> Selection:
    selection_for(gallery, email)
    # Row lock: two tabs adding at once cannot pass the limit together.
    selection = Selection.objects.select_for_update().get(studio_id=gallery.studio_id, gallery=gallery, email=email)
    if selection.locked:
        raise DomainError(
            "selection_locked",
            "Your selection was submitted and is locked. Ask your photographer if you need to change it.",
            CONFLICT,
        )
    return selection


@transaction.atomic
def select_photo(gallery, email: str, photo: GalleryPhoto) -> Selection:
    selection = _locked_selection(gallery, email)
    if selection.items.filter(photo=photo).exists():
        return selection
    limit = gallery.selection_limit
    if limit is not None and selection.items.count() >= limit:
        raise DomainError(
            "selection_limit",
            f"You can select up to {limit} photos. Remove one to add another.",
            CONFLICT,
        )
    SelectionItem.objects.create(studio_id=selection.studio_id, selection=selection, photo=photo)
    return selection


@transaction.atomic
def unselect_photo(gallery, email: str, photo: GalleryPhoto) -> Selection:
    selection = _locked_selection(gallery, email)
    selection.items.filter(photo=photo).delete()
    return selection


@transaction.atomic
def submit_selection(gallery, email: str) -> Selection:
    selection = _locked_selection(gallery, email)
    count = selection.items.count()
    if count == 0:
        raise DomainError("selection_empty", "Select at least one photo before submitting.", INVALID)
    selection.locked = True
    selection.submitted_at = timezone.now()
    selection.save(update_fields=["locked", "submitted_at"])
    events.publish(gallery.studio, "selection.submitted", selection)
    notify_selection_submitted(selection.pk)  # into the outbox, committed with the submission
    return selection


def lightroom_filenames(selection: Selection) -> str:
    """Comma-separated file names without extensions: paste into Lightroom's Library filter (Text › Filename)."""
    names = []
    for item in selection.items.select_related("photo__image").order_by("photo__order", "photo_id"):
        name = item.photo.filename
        names.append(name.rsplit(".", 1)[0] if "." in name else name)
    return ", ".join(names)


def photographer_emails(studio) -> list[str]:
    emails = [m.user.email for m in studio.memberships.select_related("user").filter(role="owner") if m.user.email]
    return emails or ([studio.contact_email] if studio.contact_email else [])


def notify_selection_submitted(selection_id: int) -> None:
    selection = Selection.objects.select_related("gallery__studio").get(pk=selection_id)
    gallery = selection.gallery
    recipients = photographer_emails(gallery.studio)
    if not recipients:
        return
    context = {
        "gallery": gallery,
        "selection": selection,
        "count": selection.items.count(),
        "filenames": lightroom_filenames(selection),
        "admin_url": f"{settings.WAGTAILADMIN_BASE_URL}/admin/galleries/{gallery.pk}/activity/",
    }
    queue_studio_mail(
        gallery.studio,
        recipients,
        "gallery_selection_submitted",
        context,
        key=f"selection:{selection.pk}:submitted:{selection.submitted_at:%Y%m%dT%H%M%S.%f}",
        about=gallery,
    )


# --- Comments --------------------------------------------------------------


def add_comment(gallery, email: str, photo: GalleryPhoto, body: str) -> Comment:
    body = (body or "").strip()
    if not body:
        raise DomainError(
            "invalid", "Write a comment first.", INVALID, fields={"body": ["This field may not be blank."]}
        )
    if len(body) > 2000:
        raise DomainError(
            "invalid", "Comments are limited to 2,000 characters.", INVALID, fields={"body": ["Too long."]}
        )
    return Comment.objects.create(studio_id=gallery.studio_id, gallery=gallery, photo=photo, email=email, body=body)


def notify_gallery_ready(gallery) -> bool:
    """'Your gallery is ready' to the gallery's client. False when there is no client e-mail."""
    client = gallery.client
    if client is None or not client.email:
        return False
    send_gallery_ready(gallery, [client.email.strip().lower()])
    return True


MAX_READY_RECIPIENTS = 20


def ready_addresses(text: str) -> list[str]:
    """The addresses a photographer typed to send the gallery to (commas, semicolons or lines between them),
    lower-cased, each once. A DomainError names the first one that is not an address."""
    addresses: list[str] = []
    for item in re.split(r"[,;\n]+", text or ""):
        address = item.strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            shown = item.strip()[:80]
            raise DomainError("invalid", f"Nothing was sent: “{shown}” is not an e-mail address.", INVALID) from None
        if address not in addresses:
            addresses.append(address)
    return addresses


def send_gallery_ready(gallery, addresses: list[str]) -> list[str]:
    """'Your gallery is ready' with the gallery's link (and code) to each address, one message each (nobody sees
    the others' addresses); the client is greeted by name, anyone else is not. Returns the addresses."""
    if not gallery.live:
        raise DomainError("not_published", "Publish the gallery first: its link opens nothing until then.", INVALID)
    if not addresses:
        raise DomainError("invalid", "Give an e-mail address to send the gallery to.", INVALID)
    if len(addresses) > MAX_READY_RECIPIENTS:
        raise DomainError("invalid", f"Send to at most {MAX_READY_RECIPIENTS} addresses at a time.", INVALID)
    client = gallery.client
    url = gallery_link(gallery)
    for address in addresses:
        to_client = client is not None and client.email.strip().lower() == address
        context = {"gallery": gallery, "client": client if to_client else None, "studio": gallery.studio, "url": url}
        key = f"gallery:{gallery.pk}:gallery_ready:{uuid.uuid4().hex}"  # each press of "send" is its own message
        queue_studio_mail(gallery.studio, [address], "gallery_ready", context, key=key, about=gallery)
    return addresses


def gallery_link(gallery) -> str:
    return studio_url(gallery.studio, "/galleries/", {"code": gallery.access_code})


REMINDER_DAYS = (7, 4, 1)  # what clients of Pixieset and ShootProof expect

# "Which of these galleries' closing reminders does something else e-mail?" Each `fn(studio, gallery_ids)`
# registered under this hook returns a set of those ids (workflows/wagtail_hooks.py: the galleries an active
# workflow reminds). For them the built-in reminder gives way: its row and the `gallery.expiring` event still
# happen (webhooks, and workflows started by that event), but its e-mail is not sent, so the client hears once.
CLOSING_REMINDERS_HOOK = "gallery_closing_reminders_sent_elsewhere"


def closing_reminders_sent_elsewhere(studio, gallery_ids) -> set[int]:
    handled: set[int] = set()
    for fn in hooks.get_hooks(CLOSING_REMINDERS_HOOK):
        handled |= set(fn(studio, list(gallery_ids)))
    return handled


def send_expiry_reminders(now=None) -> int:
    """E-mail each gallery's client 7, 4 and 1 days (in the studio's zone) before it closes; once each."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(REMINDER_DAYS) + 1)
    galleries = (
        Gallery.objects.live()
        .filter(expires_at__gt=now, expires_at__lte=horizon, client__isnull=False)
        .select_related("studio", "client")
        .order_by("studio_id", "pk")
    )
    by_studio: dict[int, list] = {}
    for gallery in galleries:
        by_studio.setdefault(gallery.studio_id, []).append(gallery)
    sent = 0
    for studio_id, studio_galleries in by_studio.items():
        with rls.studio(studio_id):  # the sweep sees every studio; each reminder only its own
            elsewhere = closing_reminders_sent_elsewhere(studio_galleries[0].studio, [g.pk for g in studio_galleries])
            for gallery in studio_galleries:
                sent += _remind_before_expiry(gallery, now, send_email=gallery.pk not in elsewhere)
    return sent


def _remind_before_expiry(gallery, now, *, send_email: bool = True) -> int:
    """Remind the gallery's client if it closes in one of REMINDER_DAYS (in the studio's zone), once per day
    count: the reminder's row, its e-mail (unless `send_email` is False: a workflow sends it) and the
    `gallery.expiring` event commit together; 1 if it was due."""
    tz = gallery.studio.tz
    days = (gallery.expires_at.astimezone(tz).date() - now.astimezone(tz).date()).days
    if days not in REMINDER_DAYS or not gallery.client.email:
        return 0
    context = {"gallery": gallery, "client": gallery.client, "studio": gallery.studio, "days": days}
    context["url"] = gallery_link(gallery)
    try:
        with transaction.atomic():
            reminder = ExpiryReminder.objects.create(studio_id=gallery.studio_id, gallery=gallery, days_before=days)
            if send_email:
                queue_studio_mail(
                    gallery.studio,
                    [gallery.client.email],
                    "gallery_expiring",
                    context,
                    key=f"gallery:{gallery.pk}:gallery_expiring:{reminder.pk}",
                    about=gallery,
                )
            events.publish(gallery.studio, "gallery.expiring", gallery, days=days)
    except IntegrityError:
        return 0  # already sent today
    return 1
