"""For the public (client-site) endpoints: the studio the request's host resolved to."""

from rest_framework import status

from .errors import ApiError


def require_studio(request):
    """The studio answering at this host (studios.tenancy resolved it), or 404 unknown_site."""
    if request.studio is None:
        raise ApiError("unknown_site", "No studio answers at this address.", status.HTTP_404_NOT_FOUND)
    return request.studio
