"""The client portal's pages on the studio's host (issue 16): the one-time link's landing page, the client's
home (bookings, contracts, invoices, galleries, questionnaires), "Your details", opening a gallery, signing out.
The sign-in form (`/portal/`) is `crm/api/portal.py: portal_signin`: it shares the API's throttles.

A signed-in client holds a portal session in the `PORTAL_COOKIE_NAME` cookie: on the studio's host only (no
Domain), HttpOnly, SameSite=Lax, Secure wherever the session cookie is (production); the admin's session cookie
is another. Every page reads the session for the host's studio (crm.portal), so a cookie of another studio
signs nobody in here, and reads the client's rows through that studio (cms.portal)."""

from functools import wraps

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crm import portal
from studios.client_address import client_ip
from studios.errors import GONE, INVALID, NOT_FOUND, DomainError

from .client_pages import request_studio
from .portal import gallery_index_path, open_gallery, overview

STATUS = {NOT_FOUND: 404, GONE: 410, INVALID: 400}
SENT = (
    "If {email} belongs to a client of {studio}, a sign-in link is on its way. It works once, for {minutes} "
    "minutes. Nothing arrived? Check your spam folder, or ask for a new link in a few minutes."
)


def private(view):
    """Personal pages: never cached by anyone, never compressed (`gzip_ok`, config/compression.py)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.gzip_ok = False
        return response

    return never_cache(wrapped)


def render_signin(request, *, email: str = "", sent: bool = False, problem: str = "", status: int = 200):
    studio = request_studio(request)
    context = {
        "email": email,
        "sent": sent,
        "sent_message": SENT.format(
            email=email or "this address", studio=studio.name, minutes=settings.PORTAL_LINK_MINUTES
        ),
        "problem": problem,
    }
    return render(request, "cms/portal/signin.html", context, status=status)


def set_session_cookie(response, token: str):
    response.set_cookie(
        settings.PORTAL_COOKIE_NAME,
        token,
        max_age=int(portal.session_lifetime().total_seconds()),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def signed_in_session(request):
    """The portal session of this request's cookie on this studio, or None."""
    token = request.COOKIES.get(settings.PORTAL_COOKIE_NAME, "")
    if not token:
        return None
    try:
        return portal.session_for_token(request_studio(request), token)
    except DomainError:
        return None


def portal_login_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        session = signed_in_session(request)
        if session is None:
            response = redirect("/portal/")
            response.delete_cookie(settings.PORTAL_COOKIE_NAME, path="/", samesite="Lax")
            return response
        request.portal_session = session
        return view(request, *args, **kwargs)

    return private(wrapped)


# --- The one-time link ---------------------------------------------------------------------------------------


@private
def portal_open(request, token: str):
    """GET shows a "Continue" button, POST uses the link: mail scanners that fetch every link in an e-mail must
    not spend it. A used, expired or unknown link (another studio's too) shows why, with a new-link form."""
    studio = request_studio(request)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        if request.method == "POST":
            session_token, _session = portal.redeem_link(studio, token)
            return set_session_cookie(redirect("/portal/home/"), session_token)
        link = portal.link_for_token(studio, token)
        if link.used_at is not None:
            raise portal.link_used()
        if link.expires_at <= timezone.now():
            raise portal.link_expired()
    except DomainError as exc:
        return render_signin(request, problem=exc.message, status=STATUS.get(exc.kind, 400))
    return render(request, "cms/portal/open.html", {"client": link.client})


# --- Signed in -----------------------------------------------------------------------------------------------


@portal_login_required
def portal_home(request):
    studio = request_studio(request)
    data = overview(studio, request.portal_session.client)
    return render(request, "cms/portal/home.html", {"overview": data, "client": data.client})


@portal_login_required
def portal_details(request):
    client = request.portal_session.client
    errors: dict = {}
    saved = False
    values = {"name": client.name, "phone": client.phone, "address": client.address}
    if request.method == "POST":
        values = {field: request.POST.get(field, "") for field in ("name", "phone", "address")}
        try:
            portal.update_details(client, **values)
        except DomainError as exc:
            errors = exc.fields or {}
        else:
            return redirect("/portal/details/?saved=1")
    elif request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    else:
        saved = request.GET.get("saved") == "1"
    context = {"client": client, "values": values, "errors": errors, "saved": saved}
    return render(request, "cms/portal/details.html", context, status=400 if errors else 200)


@require_POST
@portal_login_required
def portal_gallery(request, gallery_id: int):
    """Open one of the client's galleries without its code: a fresh access token, handed to the gallery viewer
    through this tab's sessionStorage (where static/site/gallery.js keeps it) by a nonce'd inline script."""
    studio = request_studio(request)
    try:
        token, access = open_gallery(studio, request.portal_session.client, gallery_id, ip=client_ip(request))
    except DomainError as exc:
        if exc.kind == GONE:
            return render(request, "cms/portal/gallery_closed.html", {"message": exc.message}, status=410)
        return render(request, "cms/client_link_missing.html", {"what": "gallery"}, status=404)
    gallery = access.gallery
    handoff = {"token": token, "gallery": gallery.pk, "code": gallery.access_code, "email": access.email}
    context = {"handoff": handoff, "gallery": gallery, "next": gallery_index_path(studio)}
    return render(request, "cms/portal/gallery_open.html", context)


@require_POST
@private
def portal_signout(request):
    session = signed_in_session(request)
    if session is not None:
        portal.sign_out(session)
    response = redirect("/portal/?signed_out=1")
    response.delete_cookie(settings.PORTAL_COOKIE_NAME, path="/", samesite="Lax")
    return response
