"""Which studio a request is for: from the Host header (subdomain or verified
custom domain), or `?site=` on the API. Unknown hosts get 404."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.http import Http404, JsonResponse

from . import rls, site_roots
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


# Host → studio is one cache read (issue 18): the Studio with its Site, root page and locale (what the request's
# site root path is built from, studios/site_roots.py), or False for a host no studio answers at. Saving a
# studio, its domains, its site or its home page forgets its hosts (studios/signals.py); the lifetime bounds
# anything changed behind the ORM's back (`QuerySet.update()` callers call `forget_studio_hosts` themselves).
HOST_CACHE_SECONDS = 300
HOST_CACHE_VERSION = 1
_STUDIO_RELATED = ("site__root_page__locale",)


def _host_key(host: str) -> str:
    return f"studios:host:v{HOST_CACHE_VERSION}:{host}"


def studio_for_host(host: str) -> Studio | None:
    host = normalise_hostname(host)
    key = _host_key(host)
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    studio = _find_studio_for_host(host)
    cache.set(key, studio if studio is not None else False, HOST_CACHE_SECONDS)
    return studio


def _find_studio_for_host(host: str) -> Studio | None:
    suffix = "." + settings.BASE_DOMAIN
    if host.endswith(suffix):
        slug = host[: -len(suffix)]
        if slug and "." not in slug:
            return Studio.objects.select_related(*_STUDIO_RELATED).filter(slug=slug).first()
        return None
    if host in settings.PLATFORM_HOSTS:
        if settings.DEFAULT_STUDIO_SLUG:
            return Studio.objects.select_related(*_STUDIO_RELATED).filter(slug=settings.DEFAULT_STUDIO_SLUG).first()
        return None
    # Before the studio is known the request acts for nobody: finding it reads every studio's domains.
    with rls.platform():
        domain = (
            StudioDomain.objects.select_related(*(f"studio__{r}" for r in _STUDIO_RELATED))
            .filter(hostname__iexact=host, is_verified=True)
            .first()
        )
    return domain.studio if domain else None


def hosts_of(studio: Studio) -> set[str]:
    """Every host that may answer as the studio: its subdomain, its custom domains (verified or not: a
    cached "no studio" must go when one is verified), and the platform hosts for the development default."""
    hosts = {studio.hostname}
    try:
        if studio.site_id and studio.site is not None:
            hosts.add(studio.site.hostname)
    except ObjectDoesNotExist:  # the site went first (offboarding)
        pass
    with rls.platform():
        hosts.update(StudioDomain.objects.filter(studio_id=studio.pk).values_list("hostname", flat=True))
    if settings.DEFAULT_STUDIO_SLUG and studio.slug == settings.DEFAULT_STUDIO_SLUG:
        hosts.update(settings.PLATFORM_HOSTS)
    return hosts


def forget_hosts(*hosts: str) -> None:
    """Drop the cached host → studio answers now and again after the transaction commits (a request that read
    the old rows meanwhile may have cached them)."""
    keys = [_host_key(normalise_hostname(h)) for h in hosts if h]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def forget_studio_hosts(studio: Studio) -> None:
    forget_hosts(*hosts_of(studio))


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

        narrowed = None
        if studio is not None:
            # Wagtail caches the site here; without it, unknown hosts would fall
            # back to the default site, which belongs to no studio.
            request._wagtail_site = studio.site
            if studio.site is not None and not request.path.startswith(rls.ADMIN_PREFIXES):
                # The admin narrows for photographers only (admin_scoping.AdminUserMiddleware).
                narrowed = [site_roots.root_path_of(studio.site)]
        elif request.path.startswith(ANY_HOST_PATHS):
            pass
        elif not is_platform_host(host):
            return not_found(request, "No studio answers at this address.")
        elif not request.path.startswith(PLATFORM_PATHS):
            return not_found(request, "This is the FocusFlow platform address; studio sites live on their own domains.")
        with rls.request_scope(request, studio), site_roots.request_scope(narrowed, request):
            response = self.get_response(request)
        return rls.keep_scope_while_streaming(request, response)


def studio_context(request):
    return {"studio": getattr(request, "studio", None)}


def studios_for_user(user):
    """The studios a signed-in photographer works for (cached on the user object)."""
    if not hasattr(user, "_focusflow_studios"):
        user._focusflow_studios = list(
            Studio.objects.for_user(user).select_related("home_page", "collection", *_STUDIO_RELATED)
        )
    return user._focusflow_studios


def admin_studio(request) -> Studio | None:
    """The studio the admin user is working in: their first membership."""
    if request.user.is_superuser and getattr(request, "studio", None):
        return request.studio
    studios = studios_for_user(request.user)
    return studios[0] if studios else None
