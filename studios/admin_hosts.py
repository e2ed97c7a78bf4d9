"""The admin answers on the platform's own hosts only (issue 12): in production `/admin/` and `/django-admin/`
(with Wagtail's admin API, previews, sign-in and password reset, all under them) are a plain 404 on a studio's
subdomain or custom domain, the same page as any missing address, so a studio's domain never shows a sign-in
form and a phishing copy of a studio's site cannot frame the real admin on the studio's origin.

Switched on by `ADMIN_ON_PLATFORM_HOSTS_ONLY` (true in production); `ADMIN_HOSTS` lists the hosts (by default
`PLATFORM_HOSTS`). Development keeps the admin on every host so `make run` works on northlight.localhost too."""

from django.conf import settings
from django.http import Http404

from .models import normalise_hostname

# Every admin URL lives under one of these (studios/url_registry.py: Wagtail's and Django's admin).
ADMIN_PATHS = ("/admin/", "/django-admin/")
# The paths without their trailing slash: CommonMiddleware would redirect /admin to /admin/ first.
_BARE_ADMIN_PATHS = tuple(path.rstrip("/") for path in ADMIN_PATHS)


def is_admin_path(path: str) -> bool:
    return path.startswith(ADMIN_PATHS) or path in _BARE_ADMIN_PATHS


def admin_allowed_on(host: str) -> bool:
    if not settings.ADMIN_ON_PLATFORM_HOSTS_ONLY:
        return True
    return normalise_hostname(host) in {normalise_hostname(h) for h in settings.ADMIN_HOSTS}


class AdminHostMiddleware:
    """404 for an admin path on any host but the admin's. Placed before the studio is resolved: the answer
    costs no query and does not depend on whether the host is a studio's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_admin_path(request.path_info) and not admin_allowed_on(request.get_host()):
            raise Http404("There is nothing at this address.")
        return self.get_response(request)
