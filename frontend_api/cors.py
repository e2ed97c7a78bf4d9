"""CORS per request: a studio's API answers browsers on that studio's own domains
(its subdomain and verified custom domains), plus CORS_DEV_ORIGINS."""

from urllib.parse import urlsplit

from corsheaders.signals import check_request_enabled

from studios.models import StudioDomain


def origin_is_studio_domain(sender, request, **kwargs) -> bool:
    studio = getattr(request, "studio", None)
    origin = request.headers.get("origin")
    if studio is None or not origin:
        return False
    host = (urlsplit(origin).hostname or "").lower()
    if host == studio.hostname:
        return True
    return StudioDomain.objects.for_studio(studio).filter(hostname__iexact=host, is_verified=True).exists()


def connect():
    check_request_enabled.connect(origin_is_studio_domain, dispatch_uid="focusflow-studio-cors")
