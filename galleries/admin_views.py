"""Gallery tools in the Wagtail admin: bulk upload with per-file progress, processing status, activity
(views, favourites, selections, downloads, comments), the Lightroom export and the studio watermark.

Every view starts from the photographer's studio: another studio's gallery is a 404."""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from studios.errors import DomainError
from studios.tenancy import admin_studio

from .attempts import pin_lock_for
from .curation import status_counts
from .downloads import downloads_left
from .models import (
    Comment,
    DownloadEvent,
    Favorite,
    Gallery,
    GalleryAccess,
    GalleryPhoto,
    Selection,
    StudioImage,
    WatermarkSettings,
)
from .proofing import lightroom_filenames, ready_addresses, send_gallery_ready
from .quota import QuotaExceeded, storage_quota_bytes, storage_used_bytes
from .renditions import rendition_specs
from .tasks import rerender_watermarked
from .uploads import UploadRejected, add_upload, complete_direct_upload, start_direct_upload


def studio_gallery(request, gallery_id: int) -> Gallery:
    studio = admin_studio(request)
    galleries = (
        Gallery.objects.all() if request.user.is_superuser and studio is None else Gallery.objects.for_studio(studio)
    )
    gallery = galleries.select_related("studio").filter(pk=gallery_id).first()
    if gallery is None or not gallery.permissions_for_user(request.user).can_edit():
        raise Http404("No such gallery.")
    return gallery


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"message": message}}, status=status)


def _set_from(request, gallery):
    set_id = request.POST.get("set") or request.GET.get("set")
    if not set_id:
        return None
    photo_set = gallery.sets.filter(pk=set_id if str(set_id).isdigit() else 0).first()
    if photo_set is None:
        raise UploadRejected("That set is not in this gallery.")
    return photo_set


def upload_page(request, gallery_id):
    gallery = studio_gallery(request, gallery_id)
    counts = dict.fromkeys(StudioImage.Status.values, 0)
    counts.update(gallery.photos.values("image__status").annotate(n=Count("id")).values_list("image__status", "n"))
    # Every status is there (a missing one broke the page while a photo waited: issue 17).
    counts["waiting"] = counts[StudioImage.Status.PENDING] + counts[StudioImage.Status.PROCESSING]
    return TemplateResponse(
        request,
        "galleries/admin/upload.html",
        {
            "gallery": gallery,
            "page_title": f"Upload to {gallery.title}",
            "header_icon": "image",
            "sets": gallery.sets.all(),
            "counts": counts,
            "used": storage_used_bytes(gallery.studio),
            "quota": storage_quota_bytes(gallery.studio),
            "direct": hasattr(default_storage, "bucket"),
        },
    )


@require_POST
def upload_file(request, gallery_id):
    """One file per request (the page's uploader sends them one by one): stored pending, processing queued."""
    gallery = studio_gallery(request, gallery_id)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return json_error("Choose a file to upload.", 400)
    try:
        photo = add_upload(gallery, uploaded, _set_from(request, gallery))
    except QuotaExceeded as exc:
        return json_error(str(exc), 413)
    except UploadRejected as exc:
        return json_error(str(exc), 400)
    return JsonResponse(_status(photo), status=201)


class PresignForm(forms.Form):
    """What the uploader announces before sending a file straight to S3: `{"filename", "size", "set"}`."""

    filename = forms.CharField(max_length=255, error_messages={"required": "Send the file's name."})
    size = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": "Send the file's size in bytes.",
            "invalid": "The size must be a whole number of bytes.",
            "min_value": "The file is empty (0 bytes).",
        },
    )
    set = forms.IntegerField(required=False, min_value=1, error_messages={"invalid": "Choose a set of this gallery."})

    def __init__(self, data, *, gallery):
        super().__init__(data)
        self.gallery = gallery

    def clean_filename(self):
        filename = self.cleaned_data["filename"]
        try:
            filename.encode()  # a lone surrogate ("\ud800") is valid JSON but no database stores it
        except UnicodeEncodeError:
            filename = None
        if not isinstance(self.data.get("filename"), str) or filename is None:
            raise forms.ValidationError("The file's name must be text.")
        return filename

    def clean_size(self):
        size = self.cleaned_data["size"]
        if size > settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE:
            limit = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE // (1024 * 1024)
            raise forms.ValidationError(f"Photos of up to {limit} MB can be uploaded; this one is bigger.")
        return size

    def clean_set(self):
        set_id = self.cleaned_data["set"]
        if set_id is None:
            return None
        photo_set = self.gallery.sets.filter(pk=set_id).first()
        if photo_set is None:
            raise forms.ValidationError("That set is not in this gallery.")
        return photo_set


def _json_object(body: bytes) -> dict | None:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested deeper than Python recurses
        return None
    return data if isinstance(data, dict) else None


@require_POST
def presign(request, gallery_id):
    try:
        gallery = studio_gallery(request, gallery_id)
    except Http404:
        return json_error("No such gallery.", 404)
    data = _json_object(request.body)
    if data is None:
        return json_error("Send a JSON object with filename, size and set.", 400)
    form = PresignForm(data, gallery=gallery)
    if not form.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        return JsonResponse({"error": {"message": " ".join(fields[next(iter(fields))]), "fields": fields}}, status=400)
    filename, size, photo_set = (form.cleaned_data[k] for k in ("filename", "size", "set"))
    try:
        return JsonResponse(start_direct_upload(gallery, filename, size, photo_set), status=201)
    except QuotaExceeded as exc:
        return json_error(str(exc), 413)
    except UploadRejected as exc:
        return json_error(str(exc), 400)


@require_POST
def complete(request, gallery_id, photo_id):
    gallery = studio_gallery(request, gallery_id)
    photo = GalleryPhoto.objects.for_studio(gallery.studio).filter(gallery=gallery, pk=photo_id).first()
    if photo is None:
        raise Http404("No such photo.")
    try:
        complete_direct_upload(photo)
    except UploadRejected as exc:
        return json_error(str(exc), 400)
    return JsonResponse(_status(photo))


def _status(photo) -> dict:
    image = photo.image
    # The only thumb prefetched is the one the gallery's clients see (watermarked if they do).
    thumb = next(iter(getattr(image, "prefetched_renditions", [])), None)
    return {
        "id": photo.pk,
        "filename": photo.filename,
        "status": image.status,
        "status_label": image.get_status_display(),
        "failure_reason": image.failure_reason,
        "thumb": thumb.url if thumb else None,
    }


@require_GET
def photo_status(request, gallery_id):
    """Statuses of the given photos (`?ids=1,2,3`), for the uploader's polling, and the gallery's counts (the
    manager's summary line follows an upload without a reload)."""
    gallery = studio_gallery(request, gallery_id)
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.strip().isdigit()][:500]
    thumb = rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)["thumb"]
    photos = (
        GalleryPhoto.objects.for_studio(gallery.studio)
        .filter(gallery=gallery, pk__in=ids)
        .select_related("image")
        .prefetch_related(
            Prefetch(
                "image__renditions",
                queryset=StudioImage.get_rendition_model().objects.filter(filter_spec=thumb),
                to_attr="prefetched_renditions",
            )
        )
    )
    return JsonResponse({"photos": [_status(p) for p in photos], "counts": status_counts(gallery)})


def activity(request, gallery_id):
    gallery = studio_gallery(request, gallery_id)
    selections = (
        Selection.objects.filter(studio_id=gallery.studio_id, gallery=gallery)
        .annotate(n=Count("items"))
        .order_by("-submitted_at", "-created_at")
    )
    favorites = (
        Favorite.objects.filter(studio_id=gallery.studio_id, gallery=gallery)
        .values("email", "list_name")
        .annotate(n=Count("id"))
        .order_by("email", "list_name")
    )
    return TemplateResponse(
        request,
        "galleries/admin/activity.html",
        {
            "gallery": gallery,
            "page_title": f"Activity: {gallery.title}",
            "header_icon": "history",
            "tz": gallery.studio.tz,
            "views": GalleryAccess.objects.filter(studio_id=gallery.studio_id, gallery=gallery).order_by("-created_at")[
                :200
            ],
            "view_count": GalleryAccess.objects.filter(studio_id=gallery.studio_id, gallery=gallery).count(),
            "pin_lock": pin_lock_for(gallery),
            "downloads_left": downloads_left(gallery),
            "favorites": favorites,
            "selections": selections,
            "downloads": DownloadEvent.objects.filter(studio_id=gallery.studio_id, gallery=gallery).select_related(
                "photo__image", "set"
            )[:200],
            "comments": Comment.objects.filter(studio_id=gallery.studio_id, gallery=gallery)
            .select_related("photo__image")
            .order_by("-created_at")[:200],
            "failed": gallery.photos.filter(image__status=StudioImage.Status.FAILED).select_related("image"),
        },
    )


@require_GET
def lightroom_export(request, gallery_id, selection_id):
    gallery = studio_gallery(request, gallery_id)
    selection = Selection.objects.filter(studio_id=gallery.studio_id, gallery=gallery, pk=selection_id).first()
    if selection is None:
        raise Http404("No such selection.")
    response = HttpResponse(lightroom_filenames(selection) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="selection-{gallery.pk}-{selection.pk}.txt"'
    return response


@require_POST
def send_ready_email(request, gallery_id):
    """ "Your gallery is ready" to the addresses typed in the share panel (`to`), or to the gallery's client."""
    gallery = studio_gallery(request, gallery_id)
    back = (
        reverse("galleries_manager", args=[gallery.pk]) + "#share"
        if request.POST.get("back") == "share"
        else reverse("galleries_activity", args=[gallery.pk])
    )
    if "to" in request.POST:
        typed = request.POST["to"]
    elif gallery.client is not None and gallery.client.email:
        typed = gallery.client.email
    else:
        messages.error(request, "This gallery has no client with an e-mail address. Choose a client first.")
        return redirect(back)
    try:
        sent = send_gallery_ready(gallery, ready_addresses(typed))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    listed = sent[0] if len(sent) == 1 else f"{', '.join(sent[:-1])} and {sent[-1]}"
    messages.success(request, f"Sent “your gallery is ready” to {listed}.")
    return redirect(back)


class WatermarkForm(forms.ModelForm):
    class Meta:
        model = WatermarkSettings
        fields = ["text", "image", "position", "opacity", "scale"]

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        # Library images only: a studio's thousands of gallery photos are no logo (galleries/library.py).
        self.fields["image"].queryset = StudioImage.objects.for_studio(studio).filter(
            status=StudioImage.Status.READY, is_gallery_photo=False
        )

    def clean(self):
        data = super().clean()
        if not data.get("text") and not data.get("image"):
            raise forms.ValidationError("Give the watermark a text or an image.")
        return data


def watermark(request):
    studio = admin_studio(request)
    if studio is None:
        raise Http404("Choose a studio first.")
    settings_ = WatermarkSettings.for_studio(studio)
    form = WatermarkForm(request.POST or None, instance=settings_, studio=studio)
    if request.method == "POST" and form.is_valid():
        before = settings_.version
        saved = form.save()
        if saved.version != before:
            queued = rerender_watermarked(studio)
            messages.success(request, f"Watermark saved. {queued} photos are being re-watermarked.")
        else:
            messages.success(request, "Watermark saved.")
        return redirect("galleries_watermark")
    return TemplateResponse(
        request,
        "galleries/admin/watermark.html",
        {"form": form, "page_title": "Watermark", "header_icon": "image", "settings": settings_},
    )
