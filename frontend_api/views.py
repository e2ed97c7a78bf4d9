"""Django-level error pages for API paths, in the API's error shape."""

from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error

from .errors import json_error


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_error("not_found", "Nothing here. Check the path and the id.", 404)
    return page_not_found(request, exception)


def server_failure(request):
    if request.path.startswith("/api/"):
        return json_error("server_error", "Something went wrong on our side; it has been logged.", 500)
    return server_error(request)


@csrf_exempt
def unknown_api_path(request, rest=""):
    """Anything under /api/ that no endpoint matches: a JSON 404 for every method, never a page."""
    return json_error("not_found", "Nothing here. Check the path and the id.", 404)


def csrf_failure(request, reason=""):
    if request.path.startswith("/api/"):
        return json_error("csrf_failed", "This request needs a CSRF token (browser sessions only).", 403)
    return django_csrf_failure(request, reason)
