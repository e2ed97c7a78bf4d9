"""The gallery manager in the Wagtail admin ("Photos" on a gallery): the grid of its photos with their status,
filters, drag-to-reorder, actions on the selected photos and drag-and-drop upload (which posts to the
existing upload views, galleries.admin_views).

Views are thin: read the request, call one function of galleries.curation, answer. Every view starts from
the photographer's studio (studio_gallery: another studio's gallery is a 404), and photo ids another gallery
owns refuse the whole action."""

import json

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from studios.errors import NOT_FOUND, DomainError

from . import curation
from .admin_sharing import share_context
from .admin_views import studio_gallery

PER_PAGE = 200
YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class GridFilters(forms.Form):
    set = forms.ChoiceField(required=False, label="Set")
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[
            ("", "Any status"),
            ("processing", "Processing"),
            ("ready", "Ready (clients see it)"),
            ("failed", "Failed"),
            ("hidden", "Hidden"),
        ],
    )
    favourited = forms.ChoiceField(required=False, label="Favourited by the client", choices=YES_NO)
    selected = forms.ChoiceField(required=False, label="In a submitted selection", choices=YES_NO)

    def __init__(self, data, *, gallery):
        super().__init__(data)
        self.sets = list(gallery.sets.all())
        self.fields["set"].choices = [("", "All sets"), ("none", "No set")] + [(str(s.pk), s.name) for s in self.sets]

    def grid_filters(self) -> dict:
        """Keyword arguments for curation.grid_photos (an unknown value is ignored, as no filter)."""
        data = self.cleaned_data if self.is_valid() else {}
        chosen_set = data.get("set", "")
        yes_no = {"yes": True, "no": False}
        return {
            "photo_set": next((s for s in self.sets if str(s.pk) == chosen_set), None),
            "no_set": chosen_set == "none",
            "status": data.get("status", ""),
            "favourited": yes_no.get(data.get("favourited", "")),
            "selected": yes_no.get(data.get("selected", "")),
        }


def manager(request, gallery_id):
    gallery = studio_gallery(request, gallery_id)
    filters = GridFilters(request.GET, gallery=gallery)
    chosen = filters.grid_filters()
    page = Paginator(curation.grid_photos(gallery, **chosen), PER_PAGE).get_page(request.GET.get("p"))
    page.object_list = curation.grid_tiles(gallery, page.object_list)
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(
        request,
        "galleries/admin/manager.html",
        {
            "gallery": gallery,
            "page_title": f"Photos: {gallery.title}",
            "filters": filters,
            "filtered": any(request.GET.get(name) for name in filters.fields),
            "page": page,
            "query": query.urlencode(),
            "sets": filters.sets,
            "upload_set": chosen["photo_set"],  # files dropped while a set is shown go into it
            "counts": curation.status_counts(gallery),
            "manual": gallery.sort == gallery.Sort.MANUAL,
            **share_context(request, gallery),
        },
    )


# What each button of the manager does: the curation call and what the photographer is told.
def _hide(gallery, data):
    n = curation.set_hidden(gallery, data.getlist("photos"), True)
    return f"{n} photo{'s' if n != 1 else ''} hidden from the client."


def _show(gallery, data):
    n = curation.set_hidden(gallery, data.getlist("photos"), False)
    return f"{n} photo{'s' if n != 1 else ''} shown to the client again."


def _move(gallery, data):
    n = curation.move_to_set(gallery, data.getlist("photos"), data.get("set"))
    target = next((s.name for s in gallery.sets.all() if str(s.pk) == data.get("set")), "no set")
    return f"{n} photo{'s' if n != 1 else ''} moved to {target}."


def _delete(gallery, data):
    n = curation.delete_photos(gallery, data.getlist("photos"))
    return f"{n} photo{'s' if n != 1 else ''} deleted."


def _cover(gallery, data):
    photo = curation.set_cover(gallery, data.getlist("photos"))
    return f"“{photo.filename}” is now the gallery's cover."


def _retry(gallery, data):
    queued, gone = curation.retry_failed(gallery, data.getlist("photos"))
    told = f"{queued} photo{'s' if queued != 1 else ''} queued for processing again."
    if gone:
        told += f" Upload again (their files were discarded as unusable): {', '.join(gone)}."
    return told


def _placed(gallery, data, position, where):
    n = len(data.getlist("photos"))
    curation.move_to_position(gallery, data.getlist("photos"), position)
    return f"{n} photo{'s' if n != 1 else ''} moved {where}; the gallery is in Manual order."


def _top(gallery, data):
    return _placed(gallery, data, 1, "to the top")


def _bottom(gallery, data):
    return _placed(gallery, data, 10**9, "to the bottom")


def _position(gallery, data):
    position = data.get("position", "")
    return _placed(gallery, data, position, f"to position {position}")


ACTIONS = {
    "top": _top,
    "bottom": _bottom,
    "position": _position,
    "hide": _hide,
    "show": _show,
    "move": _move,
    "delete": _delete,
    "cover": _cover,
    "retry": _retry,
    "remove": _delete,  # a failed upload is removed as any photo is deleted
}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request, gallery) -> str:
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return back
    return reverse("galleries_manager", args=[gallery.pk])


@require_POST
def manager_action(request, gallery_id):
    """One action on the selected photos: `action` (a key of ACTIONS), `photos` (ids), `set` (for move)."""
    gallery = studio_gallery(request, gallery_id)
    act = ACTIONS.get(request.POST.get("action", ""))
    try:
        if act is None:
            raise curation.CurationRefused("Choose what to do with the selected photos.")
        if not all(i.isdigit() for i in request.POST.getlist("photos")):
            raise curation.PhotosNotFound()
        told = act(gallery, request.POST)
    except DomainError as exc:
        status = 404 if exc.kind == NOT_FOUND else 400
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": exc.message}, status=status)
        if status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect(_back(request, gallery))
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": told})
    messages.success(request, told)
    return redirect(_back(request, gallery))


@require_POST
def reorder(request, gallery_id):
    """The grid after a drag: `{"ids": [...]}`, the shown photos in their new order."""
    gallery = studio_gallery(request, gallery_id)
    try:
        ids = json.loads(request.body or b"{}").get("ids")
    except (ValueError, AttributeError):
        ids = None
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return JsonResponse({"ok": False, "message": "Send the photos' ids in their new order."}, status=400)
    try:
        curation.reorder(gallery, ids)
    except DomainError as exc:
        return JsonResponse({"ok": False, "message": exc.message}, status=404 if exc.kind == NOT_FOUND else 400)
    return JsonResponse({"ok": True, "message": "New order saved; clients see the photos in this order."})
