"""For the public (client-site) endpoints: the studio the request's host resolved to, and its site's address."""

from rest_framework import status

from studios.tenancy import is_platform_host

from .errors import ApiError


def require_studio(request):
    """The studio answering at this host (studios.tenancy resolved it), or 404 unknown_site."""
    if request.studio is None:
        raise ApiError("unknown_site", "No studio answers at this address.", status.HTTP_404_NOT_FOUND)
    return request.studio


def studio_root_url(request, studio) -> str:
    """The studio site's absolute root, e.g. `http://northlight.localhost:8000/`: the request's own host when
    it is the studio's (subdomain or custom domain), else (a platform host with `?site=`) the studio's
    subdomain; the request's scheme and port either way, so the dev server's `:8000` is kept."""
    host = request.get_host()
    if request.GET.get("site") or is_platform_host(host):
        # The port the caller used (in the Host header), e.g. runserver's :8000.
        _, _, port = host.rpartition(":") if not host.endswith("]") else ("", "", "")
        host = f"{studio.hostname}:{port}" if port.isdigit() else studio.hostname
    return f"{request.scheme}://{host}/"
