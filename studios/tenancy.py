"""Which studio a request is for: from the Host header (subdomain or verified
custom domain), or `?site=` on the API. Unknown hosts get 404."""

from django.conf import settings
from django.http import Http404, JsonResponse

from . import rls
from .models import Studio, StudioDomain, normalise_hostname

# Paths that work on a platform host without a studio (the admin, webhooks…).
PLATFORM_PATHS = (
    "/admin/",
    "/django-admin/",
    "/static/",
    "/media/",
    "/private-media/",  # the admin's signed links to originals and documents (studios/media.py)
    "/documents/",  # the admin's document links; served to the studio's members only (studios/wagtail_hooks.py)
    "/billing/",
    "/anymail/",  # the e-mail provider's tracking webhooks (studios/email_tracking.py)
    "/api/schema",
    "/api/docs",
    "/api/redoc",
    "/api/studio/",
    "/healthz",
)
# Paths that must answer on any host: load-balancer health checks.
ANY_HOST_PATHS = ("/healthz",)


def studio_for_host(host: str) -> Studio | None:
    host = normalise_hostname(host)
    suffix = "." + settings.BASE_DOMAIN
    if host.endswith(suffix):
        slug = host[: -len(suffix)]
        if slug and "." not in slug:
            return Studio.objects.select_related("site").filter(slug=slug).first()
        return None
    if host in settings.PLATFORM_HOSTS:
        if settings.DEFAULT_STUDIO_SLUG:
            return Studio.objects.select_related("site").filter(slug=settings.DEFAULT_STUDIO_SLUG).first()
        return None
    # Before the studio is known the request acts for nobody: finding it reads every studio's domains.
    with rls.platform():
        domain = (
            StudioDomain.objects.select_related("studio__site").filter(hostname__iexact=host, is_verified=True).first()
        )
    return domain.studio if domain else None


def is_platform_host(host: str) -> bool:
    return normalise_hostname(host) in settings.PLATFORM_HOSTS


def not_found(request, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "unknown_site", "message": message}}, status=404)
    raise Http404(message)


class StudioMiddleware:
    """Sets `request.studio`, points Wagtail's site lookup at the studio's site and scopes the database to the
    studio for the rest of the request (row-level security, studios/rls.py: no studio, no tenant rows)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = request.get_host()
        studio = studio_for_host(host)
        site_param = request.GET.get("site")
        if site_param and request.path.startswith("/api/"):
            studio = studio_for_host(site_param)
            if studio is None:
                return not_found(request, f"No studio answers at “{site_param}”.")
        request.studio = studio

        if studio is not None:
            # Wagtail caches the site here; without it, unknown hosts would fall
            # back to the default site, which belongs to no studio.
            request._wagtail_site = studio.site
        elif request.path.startswith(ANY_HOST_PATHS):
            pass
        elif not is_platform_host(host):
            return not_found(request, "No studio answers at this address.")
        elif not request.path.startswith(PLATFORM_PATHS):
            return not_found(request, "This is the FocusFlow platform address; studio sites live on their own domains.")
        with rls.request_scope(request, studio):
            response = self.get_response(request)
        return rls.keep_scope_while_streaming(request, response)


def studio_context(request):
    return {"studio": getattr(request, "studio", None)}


def studios_for_user(user):
    """The studios a signed-in photographer works for (cached on the user object)."""
    if not hasattr(user, "_focusflow_studios"):
        user._focusflow_studios = list(Studio.objects.for_user(user).select_related("home_page", "collection"))
    return user._focusflow_studios


def admin_studio(request) -> Studio | None:
    """The studio the admin user is working in: their first membership."""
    if request.user.is_superuser and getattr(request, "studio", None):
        return request.studio
    studios = studios_for_user(request.user)
    return studios[0] if studios else None
