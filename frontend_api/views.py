"""Django-level error pages for API paths, in the API's error shape."""

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
