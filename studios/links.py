"""Links to a studio's site, for e-mails and feeds: one function, `studio_url`.

The host is the studio's primary host (its first verified custom domain, else `<slug>.<BASE_DOMAIN>`), the
scheme `STUDIO_LINK_SCHEME` (https; http in development) and the port `STUDIO_LINK_PORT` (none; runserver's
`PORT` in development), so a link in an e-mail opens the page the client is meant to see."""

from urllib.parse import urlencode

from django.conf import settings

from .models import Studio, StudioDomain


def primary_host(studio: Studio) -> str:
    """The studio's first verified custom domain, else its platform subdomain."""
    domain = (
        StudioDomain.objects.for_studio(studio)
        .filter(is_verified=True)
        .order_by("pk")
        .values_list("hostname", flat=True)
        .first()
    )
    return domain or studio.hostname


def studio_url(studio: Studio, path: str = "/", query: dict | None = None) -> str:
    """An absolute URL of `path` on the studio's site, e.g. `studio_url(studio, "/contracts/abc/")`."""
    host = primary_host(studio)
    port = str(settings.STUDIO_LINK_PORT or "")
    netloc = f"{host}:{port}" if port else host
    if not path.startswith("/"):
        path = "/" + path
    url = f"{settings.STUDIO_LINK_SCHEME}://{netloc}{path}"
    if query:
        url += "?" + urlencode(query)
    return url
