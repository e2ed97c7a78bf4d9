"""The Content-Security-Policy of every response (issue 12).

The client site (the studio's pages, booking, contract, invoice and gallery pages, and anything else
outside the admin) gets a strict policy: scripts, styles and fonts from this origin only, inline
`<style>`/`<script>` only with the request's nonce (`request.csp_nonce`, printed by the `studio_theme`
and `csp_nonce` template tags), images also from `data:`/`blob:` (drawn signatures, blurhash
placeholders, downloads) and the media storage's origin, frames only for embedded videos, forms
posting here or to Stripe Checkout (the invoice's "Pay" redirects there), and no framing by anyone.

The admin (Wagtail's and Django's) and the API (its Swagger/Redoc pages) use inline scripts and styles,
so they get a looser, compatible policy: no plugins, no foreign <base>, framed only by this origin
(Wagtail's preview)."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings

HEADER = "Content-Security-Policy"
# Paths that are not the client site (config/urls.py).
ADMIN_PREFIXES = ("/admin/", "/django-admin/", "/api/")
STRIPE_CHECKOUT = "https://checkout.stripe.com"
# Videos a photographer embeds in a rich-text paragraph (Wagtail's oEmbed iframes); scripted embeds
# (Instagram, X) stay blocked.
VIDEO_EMBEDS = ["https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com"]
ADMIN_POLICY = "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"


def _origin(url: str | None) -> str | None:
    """`https://cdn.example.com` for an absolute URL; None for a path like /media/."""
    if not url:
        return None
    parts = urlsplit(url if "://" in url else "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def media_origins() -> list[str]:
    """Where uploaded images are served from when that is not this origin (MEDIA_URL, S3 or its CDN)."""
    origins = [_origin(settings.MEDIA_URL)]
    options = settings.STORAGES.get("default", {}).get("OPTIONS", {})
    if options.get("bucket_name"):
        if options.get("custom_domain"):
            origins.append(f"https://{options['custom_domain']}")
        if options.get("endpoint_url"):
            origins.append(_origin(options["endpoint_url"]))
        else:
            region = options.get("region_name") or "us-east-1"
            bucket = options["bucket_name"]
            origins += [
                f"https://{bucket}.s3.amazonaws.com",
                f"https://s3.{region}.amazonaws.com",
                "https://s3.amazonaws.com",
            ]
    origins += getattr(settings, "CSP_EXTRA_MEDIA_ORIGINS", [])
    return [o for i, o in enumerate(origins) if o and o not in origins[:i]]


def client_policy(nonce: str) -> str:
    static = [o for o in [_origin(settings.STATIC_URL)] if o]
    # The editors' userbar (wagtailuserbar) loads the admin's CSS and JS from the admin's address.
    admin = [o for o in [_origin(getattr(settings, "WAGTAILADMIN_BASE_URL", ""))] if o]
    media = media_origins()
    sources = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'", *static, *admin],
        "style-src": ["'self'", f"'nonce-{nonce}'", *static, *admin],
        "img-src": ["'self'", "data:", "blob:", *static, *media],
        "font-src": ["'self'", "data:", *static],
        "media-src": ["'self'", "blob:", *media],
        # Photo downloads are fetched, and may be redirected to the storage.
        "connect-src": ["'self'", *media],
        "frame-src": ["'self'", *VIDEO_EMBEDS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", STRIPE_CHECKOUT],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in sources.items())


def is_admin_path(path: str) -> bool:
    return path.startswith(ADMIN_PREFIXES)


class ContentSecurityPolicyMiddleware:
    """Gives each request a fresh nonce and each response the policy for its part of the site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if HEADER not in response:
            if is_admin_path(request.path):
                response[HEADER] = ADMIN_POLICY
            else:
                response[HEADER] = client_policy(request.csp_nonce)
        return response
