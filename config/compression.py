"""gzip for HTML and JSON, never for a response that carries a secret (BREACH).

BREACH: when a compressed response holds a secret (a CSRF token, a session-bound value) AND something the
attacker chose (a query value echoed in the page), an attacker who can make the victim's browser send many
such requests, with the victim's cookies, and watch the sizes on the wire, guesses the secret byte by byte:
a right guess compresses better. So a response is compressed only when the attack has nothing to find or
no way to ask:

- GET and HEAD only: POST answers are where tokens are handed out (a sign-in). The one exception is an answer
  its view marks `gzip_ok = True` because it holds nothing an attacker could not get by sending the same
  request: the gallery unlock. Nothing ambient goes into it (no cookie or session is read: the code, e-mail and
  PIN are all in the body, which whoever makes the browser send it had to write), and its one secret, the
  token, is new in every answer, so there is no fixed value for BREACH to guess byte by byte. It is the
  viewer's first paint on a phone: the first photos' JSON, ~1 KB a photo, shrinks about seven times.
- HTML and JSON only (static files are compressed ahead of time by WhiteNoise; ZIPs and photos don't shrink).
- Not when the page printed a CSRF token (`get_token()` was called: Django marks the request) or the response
  sets any cookie (a new session, a CSRF cookie): those are the secrets a browser would carry for an attacker.
- Not when the request carries the session cookie (a signed-in photographer: the admin and anything it
  shows is per-user), and never under /admin/ or /django-admin/.
- Not a streamed response (ZIP downloads, files).
- A view can opt out with `@never_gzip` (sets `response.gzip_ok = False`); `gzip_ok = True` lets a POST's
  answer in (the unlock, above), still under every other rule.

What remains is the client site's pages (no secrets: the gallery's token lives in the tab's sessionStorage;
the CSP nonce is new on every response, so there is nothing stable to guess) and API answers to requests
authorised by a header (`Authorization: Bearer …`, an API key): a page on another site cannot attach those,
and it cannot read or time our answers to requests it makes without them. Django's GZipMiddleware also adds
up to 100 random bytes to each gzip header ("Heal the BREACH"), which blurs sizes further. docs/architecture.md
("Compression and static files") says the same.
"""

from functools import wraps

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE_TYPES = ("text/html", "application/json")
NEVER_PREFIXES = ("/admin/", "/django-admin/")


def never_gzip(view):
    """Marks a view's responses as never compressed (a secret together with reflected input)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = view(*args, **kwargs)
        response.gzip_ok = False
        return response

    return wrapped


def may_compress(request, response) -> bool:
    """Whether `response` can be gzipped without giving BREACH a secret to guess (the rules above)."""
    marked = getattr(response, "gzip_ok", None)
    if response.streaming or marked is False:
        return False
    if request.method not in ("GET", "HEAD") and marked is not True:
        return False
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in COMPRESSIBLE_TYPES and not content_type.endswith("+json"):
        return False
    if request.path.startswith(NEVER_PREFIXES):
        return False
    # get_token() puts this key in request.META: the page (or JSON) holds a CSRF token.
    if "CSRF_COOKIE_NEEDS_UPDATE" in request.META or response.cookies:
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


class SafeGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, for the responses may_compress() allows (the module's docstring says why)."""

    def process_response(self, request, response):
        if not may_compress(request, response):
            return response
        return super().process_response(request, response)
