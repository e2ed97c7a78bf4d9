"""Serving MEDIA_ROOT on local storage (development, or a server without S3): renditions by their plain
/media/ URL, any other file only through a signed, expiring link (studios.media). Nothing is served inline
unless it is a raster image; SVG, HTML and the rest download as attachments, never sniffed."""

import os

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.http import require_safe
from django.views.static import serve

from .media import LinkExpired, attachment_header, inline_type, is_public, name_from_token


def _harden(response, name: str, *, inline: bool):
    """A raster image keeps its type; anything else is bytes. Only a raster image may show inline."""
    content_type = inline_type(name)
    response["Content-Type"] = content_type or "application/octet-stream"
    if not (inline and content_type):
        response["Content-Disposition"] = attachment_header(name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _local_root() -> str:
    try:
        return default_storage.path("")
    except NotImplementedError:
        raise Http404("Media are served by the storage.") from None


@require_safe
def public_media(request, path: str):
    """A rendition by its plain URL (public, as before); an original or a document here is a 404."""
    if not is_public(path):
        raise Http404("No such file.")
    return _harden(serve(request, path, document_root=_local_root()), path, inline=True)


@require_safe
def signed_media(request, token: str, filename: str):
    """One stored file behind a link made by `studios.media.signed_url`, always as an attachment."""
    try:
        name = name_from_token(token)
    except LinkExpired:
        return HttpResponse("This link has expired. Open the page you came from again.", status=410)
    if name is None or os.path.basename(name) != filename or not default_storage.exists(name):
        raise Http404("No such file.")
    response = FileResponse(default_storage.open(name, "rb"))
    response["Cache-Control"] = "private, no-store"
    return _harden(response, name, inline=False)
