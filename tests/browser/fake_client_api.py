"""A small, test-only FAKE of the client API of DESIGN.md §5 (galleries and inquiries).

The galleries and crm apps are built on other branches; until they merge, the
browser tests run the site's JavaScript against this stand-in, which answers the
§5 paths with the §5 shapes ({token, gallery}; {results, next}; the one error
shape {"error": {"code", "message", "fields"?}}), requires `Authorization: Bearer`
like the real API, and records what the browser sent so tests can assert it.
At merge the lead switches these tests to the real endpoints.

Used as the ROOT_URLCONF of the browser tests: the fake paths first, then the project's."""

import io
import json
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from django.http import FileResponse, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from cms.urls import handler404, handler500  # noqa: F401
from cms.urls import urlpatterns as project_urlpatterns
from frontend_api.renditions import rendition_urls

PAGE_SIZE = 8


@dataclass
class FakeGallery:
    id: int
    title: str
    code: str
    expires_at: datetime
    sets: list[dict]  # {"id", "name", "images": [StudioImage]}
    selection_limit: int = 25
    downloadable: bool = True
    expired: bool = False
    favorites: list[int] = field(default_factory=list)
    submitted: list[int] | None = None
    tokens: set[str] = field(default_factory=set)

    def photos(self, set_id: str = ""):
        return [im for s in self.sets if not set_id or str(s["id"]) == set_id for im in s["images"]]


@dataclass
class FakeState:
    galleries: dict[int, FakeGallery] = field(default_factory=dict)
    inquiries: list[dict] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


STATE = FakeState()


def reset():
    global STATE
    STATE = FakeState()
    return STATE


def error(code: str, message: str, status: int, fields=None):
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return JsonResponse({"error": body}, status=status)


def authorised_gallery(request, gallery_id):
    gallery = STATE.galleries.get(gallery_id)
    auth = request.headers.get("Authorization", "")
    if gallery is None or not auth.startswith("Bearer ") or auth[7:] not in gallery.tokens:
        return None
    return gallery


def gallery_json(gallery: FakeGallery) -> dict:
    return {
        "id": gallery.id,
        "title": gallery.title,
        "expires_at": gallery.expires_at.isoformat(),
        "photo_count": len(gallery.photos()),
        "sets": [{"id": s["id"], "name": s["name"], "photo_count": len(s["images"])} for s in gallery.sets],
        "permissions": {"downloadable": gallery.downloadable, "selection_limit": gallery.selection_limit},
        "favorites": list(gallery.favorites),
        "selection_submitted": gallery.submitted is not None,
    }


@csrf_exempt
def unlock(request):
    STATE.requests.append("unlock")
    body = json.loads(request.body or "{}")
    code = str(body.get("code", "")).strip().upper()
    gallery = next((g for g in STATE.galleries.values() if g.code == code), None)
    if gallery is None:
        return error("invalid_code", "No gallery matches this code.", 404)
    if gallery.expired:
        return error("gallery_expired", "This gallery has expired.", 410)
    token = secrets.token_urlsafe(16)
    gallery.tokens.add(token)
    return JsonResponse({"token": token, "gallery": gallery_json(gallery)})


def detail(request, gallery_id):
    gallery = authorised_gallery(request, gallery_id)
    if gallery is None:
        return error("not_found", "Not found.", 404)
    return JsonResponse(gallery_json(gallery))


def photos(request, gallery_id):
    gallery = authorised_gallery(request, gallery_id)
    if gallery is None:
        return error("not_found", "Not found.", 404)
    set_id = request.GET.get("set", "")
    offset = int(request.GET.get("cursor") or 0)
    STATE.requests.append(f"photos:{set_id}:{offset}")
    images = gallery.photos(set_id)
    page = images[offset : offset + PAGE_SIZE]
    nxt = None
    if offset + PAGE_SIZE < len(images):
        query = f"cursor={offset + PAGE_SIZE}" + (f"&set={set_id}" if set_id else "")
        nxt = request.build_absolute_uri(f"{request.path}?{query}")
    results = [
        {
            "id": im.pk,
            "filename": im.original_filename or f"photo-{im.pk}.jpg",
            "width": im.width,
            "height": im.height,
            "blurhash": im.blurhash,
            "renditions": rendition_urls(im, request),
        }
        for im in page
    ]
    return JsonResponse({"results": results, "next": nxt})


@csrf_exempt
def favorites(request, gallery_id):
    gallery = authorised_gallery(request, gallery_id)
    if gallery is None:
        return error("not_found", "Not found.", 404)
    photo = int(json.loads(request.body or "{}").get("photo", 0))
    if photo not in {im.pk for im in gallery.photos()}:
        return error("invalid", "Some fields need attention.", 400, {"photo": ["Not a photo of this gallery."]})
    if gallery.submitted is not None:
        return error("selection_locked", "Your selection was sent; ask your photographer to reopen it.", 409)
    if request.method == "POST":
        if photo not in gallery.favorites:
            if len(gallery.favorites) >= gallery.selection_limit:
                return error("selection_limit", f"You can choose up to {gallery.selection_limit} photos.", 409)
            gallery.favorites.append(photo)
        return JsonResponse({"photo": photo, "count": len(gallery.favorites)}, status=201)
    if request.method == "DELETE":
        if photo in gallery.favorites:
            gallery.favorites.remove(photo)
        return HttpResponse(status=204)
    return error("method_not_allowed", "Use POST or DELETE.", 405)


@csrf_exempt
def submit_selection(request, gallery_id):
    gallery = authorised_gallery(request, gallery_id)
    if gallery is None:
        return error("not_found", "Not found.", 404)
    if not gallery.favorites:
        return error("empty_selection", "Choose at least one photo first.", 400)
    gallery.submitted = list(gallery.favorites)
    return JsonResponse({"submitted": True, "count": len(gallery.submitted)})


def download_photo(request, photo_id):
    gallery = next((g for g in STATE.galleries.values() if photo_id in {im.pk for im in g.photos()}), None)
    if gallery is None or authorised_gallery(request, gallery.id) is None:
        return error("not_found", "Not found.", 404)
    image = next(im for im in gallery.photos() if im.pk == photo_id)
    STATE.downloads.append(f"photo:{photo_id}:{request.GET.get('size', 'web')}")
    return FileResponse(image.file.open("rb"), as_attachment=True, filename=image.original_filename)


def download_gallery(request, gallery_id):
    gallery = authorised_gallery(request, gallery_id)
    if gallery is None:
        return error("not_found", "Not found.", 404)
    STATE.downloads.append(f"zip:{gallery_id}:{request.GET.get('set', '')}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for image in gallery.photos(request.GET.get("set", "")):
            archive.writestr(image.original_filename, image.file.open("rb").read())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="gallery.zip"'
    return response


@csrf_exempt
def inquiries(request):
    body = json.loads(request.body or "{}")
    fields = {}
    if not body.get("name"):
        fields["name"] = ["Please tell us your name."]
    if "@" not in body.get("email", ""):
        fields["email"] = ["Enter a valid e-mail address."]
    if fields:
        return error("invalid", "Some fields need attention.", 400, fields)
    STATE.inquiries.append(body)
    return JsonResponse({"id": len(STATE.inquiries), "status": "received"}, status=201)


urlpatterns = [
    path("api/client/galleries/unlock/", unlock),
    path("api/client/galleries/<int:gallery_id>/", detail),
    path("api/client/galleries/<int:gallery_id>/photos/", photos),
    path("api/client/galleries/<int:gallery_id>/favorites/", favorites),
    path("api/client/galleries/<int:gallery_id>/selection/submit/", submit_selection),
    path("api/client/galleries/<int:gallery_id>/download/", download_gallery),
    path("api/client/photos/<int:photo_id>/download/", download_photo),
    path("api/client/inquiries/", inquiries),
    *project_urlpatterns,
]
