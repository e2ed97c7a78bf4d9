"""The gallery manager's share panel (galleries/templates/galleries/admin/manager.html): the gallery's link as a QR
code, and recipients with their own links (galleries.sharing): add, revoke, replace.

A recipient's link is shown once, on the manager page after it is made (held in the session for that one page,
with its QR code inline: the token is never in an admin URL or a server log), and e-mailed to the recipient.
Every view starts from the photographer's studio (studio_gallery): another studio's gallery or link is a 404."""

import base64
import io

import segno
from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from studios.errors import NOT_FOUND, DomainError

from . import sharing
from .admin_views import studio_gallery
from .proofing import gallery_link

SESSION_KEY = "galleries:new-share-link"


def qr(url: str):
    return segno.make(url, error="m")


def qr_svg(url: str) -> str:
    """An inline <svg> (no XML declaration), scaled by CSS."""
    return qr(url).svg_inline(scale=4, border=2, title="QR code of the link")


def qr_png_data_uri(url: str) -> str:
    return "data:image/png;base64," + base64.b64encode(_png(url)).decode()


def _png(url: str) -> bytes:
    out = io.BytesIO()
    qr(url).save(out, kind="png", scale=10, border=4)
    return out.getvalue()


class RecipientForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name")
    email = forms.EmailField(label="E-mail")
    expires_on = forms.DateField(
        required=False,
        label="Link expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: as long as the gallery is open.",
    )
    download_limit = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100000,
        label="Downloads allowed",
        help_text="Each photo or ZIP counts one; empty for no limit.",
    )


def share_context(request, gallery) -> dict:
    """What the manager page's share panel shows."""
    new = request.session.pop(SESSION_KEY, None)
    fresh = None
    if isinstance(new, dict) and new.get("gallery") == gallery.pk:
        url = new["url"]
        fresh = {"name": new["name"], "url": url, "svg": qr_svg(url), "png": qr_png_data_uri(url)}
    return {
        "share_link": gallery_link(gallery),
        "recipients": [(link, sharing.status(link)) for link in sharing.recipients(gallery)],
        "recipient_form": RecipientForm(),
        "fresh_link": fresh,
    }


def _remember(request, gallery, link, token) -> None:
    request.session[SESSION_KEY] = {"gallery": gallery.pk, "name": link.name, "url": sharing.share_url(link, token)}


def _back(gallery):
    return redirect(reverse("galleries_manager", args=[gallery.pk]) + "#share")


@require_POST
def add_recipient(request, gallery_id):
    gallery = studio_gallery(request, gallery_id)
    form = RecipientForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[name].label}: {' '.join(e)}" for name, e in form.errors.items())
        messages.error(request, f"The recipient was not added. {errors}")
        return _back(gallery)
    data = form.cleaned_data
    expires_at = sharing.end_of_day(gallery.studio, data["expires_on"]) if data["expires_on"] else None
    try:
        link, token = sharing.add_recipient(gallery, data["name"], data["email"], expires_at, data["download_limit"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(gallery)
    _remember(request, gallery, link, token)
    messages.success(request, f"Link made for {link.name} and e-mailed to {link.email}.")
    return _back(gallery)


def _link_action(request, gallery_id, link_id, act):
    gallery = studio_gallery(request, gallery_id)
    try:
        return gallery, act(gallery, link_id)
    except DomainError as exc:
        if exc.kind == NOT_FOUND:
            raise Http404(exc.message) from exc
        raise


@require_POST
def revoke_recipient(request, gallery_id, link_id):
    gallery, link = _link_action(request, gallery_id, link_id, sharing.revoke)
    messages.success(request, f"{link.name}'s link no longer opens the gallery.")
    return _back(gallery)


@require_POST
def renew_recipient(request, gallery_id, link_id):
    try:
        gallery, (link, token) = _link_action(request, gallery_id, link_id, sharing.new_link)
    except DomainError as exc:  # refused (a draft gallery): said on the page
        messages.error(request, exc.message)
        return _back(studio_gallery(request, gallery_id))
    _remember(request, gallery, link, token)
    told = f"New link made for {link.name} and e-mailed to {link.email}; the old one no longer opens."
    messages.success(request, told)
    return _back(gallery)


@require_GET
def gallery_qr(request, gallery_id, fmt):
    """The gallery's link (with its code) as a QR code: `svg` to show, `png` to download and print."""
    gallery = studio_gallery(request, gallery_id)
    url = gallery_link(gallery)
    if fmt == "svg":
        buffer = io.BytesIO()
        qr(url).save(buffer, kind="svg", scale=4, border=2, title="QR code of the gallery link")
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    else:
        response = HttpResponse(_png(url), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="gallery-{gallery.pk}-qr.png"'
    response["Cache-Control"] = "private, no-store"
    return response
