"""The gallery manager's resumable uploads (galleries.multipart): start, parts (what the storage has), sign,
part (local storage: a part's bytes, PUT), complete, abort. JSON in and out; every view starts from the
photographer's studio (studio_gallery), and an upload id of another gallery or studio is a 404."""

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studios.errors import DomainError

from . import multipart
from .admin_views import PresignForm, _json_object, _status, json_error, studio_gallery

STATUS = {"invalid": 400, "too_large": 413, "not_found": 404}


def _gallery(request, gallery_id):
    try:
        return studio_gallery(request, gallery_id)
    except Http404:
        return None


def _refused(exc: DomainError) -> JsonResponse:
    return json_error(exc.message, STATUS.get(exc.kind, 400))


def _run(request, gallery_id, upload_id, act):
    gallery = _gallery(request, gallery_id)
    if gallery is None:
        return json_error("No such gallery.", 404)
    try:
        upload = multipart.upload_in(gallery, upload_id)
        return act(upload)
    except DomainError as exc:
        return _refused(exc)


@require_POST
def start(request, gallery_id):
    """`{"filename", "size", "set"}` → 201 `{"upload", "part_size", "parts", "done": []}`."""
    gallery = _gallery(request, gallery_id)
    if gallery is None:
        return json_error("No such gallery.", 404)
    data = _json_object(request.body)
    if data is None:
        return json_error("Send a JSON object with filename, size and set.", 400)
    form = PresignForm(data, gallery=gallery)
    if not form.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        return JsonResponse({"error": {"message": " ".join(fields[next(iter(fields))]), "fields": fields}}, status=400)
    try:
        upload = multipart.start(gallery, *(form.cleaned_data[k] for k in ("filename", "size", "set")))
    except DomainError as exc:
        return _refused(exc)
    return JsonResponse(
        {"upload": upload.pk, "part_size": upload.part_size, "parts": upload.part_count, "done": [], "photo": None},
        status=201,
    )


@require_GET
def parts(request, gallery_id, upload_id):
    """Where an upload stands: the part numbers S3 has (`done`), for resuming."""
    return _run(request, gallery_id, upload_id, lambda upload: JsonResponse(multipart.state(upload)))


@require_POST
def sign(request, gallery_id, upload_id):
    """`{"parts": [3, 4]}` → `{"urls": {"3": "https://…", "4": "…"}}`: PUT each part's bytes to its URL (a
    presigned S3 URL, or on local storage the `part` view below, which wants the admin's CSRF header)."""
    data = _json_object(request.body) or {}
    return _run(
        request, gallery_id, upload_id, lambda upload: JsonResponse({"urls": multipart.sign(upload, data.get("parts"))})
    )


@require_http_methods(["PUT"])
def part(request, gallery_id, upload_id, part_number):
    """Local storage: part `part_number`'s bytes as the body, exactly its length → 200 `{"part": n}`."""
    length = request.META.get("CONTENT_LENGTH") or ""

    def act(upload):
        multipart.receive_part(upload, part_number, request, int(length) if length.isdigit() else None)
        return JsonResponse({"part": part_number})

    return _run(request, gallery_id, upload_id, act)


@require_POST
def complete(request, gallery_id, upload_id):
    """Every part sent: the photo is registered and queued → its status (as the other upload views answer)."""

    def act(upload):
        photo = multipart.complete(upload)
        return JsonResponse(_status(photo), status=201)

    return _run(request, gallery_id, upload_id, act)


@require_POST
def abort(request, gallery_id, upload_id):
    def act(upload):
        multipart.abort(upload)
        return JsonResponse({}, status=200)

    return _run(request, gallery_id, upload_id, act)
