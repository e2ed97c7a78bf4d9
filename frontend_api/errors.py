"""One error shape for the whole API: {"error": {"code", "message", "fields"?}}.

Domain code raises `studios.errors.DomainError`; this is the one place its `kind` becomes an HTTP status
(STATUS_FOR_KIND), for DRF views (the exception handler) and plain Django views (`domain_error_response`)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from studios import errors as domain
from studios.errors import DomainError

STATUS_FOR_KIND = {
    domain.INVALID: status.HTTP_400_BAD_REQUEST,
    domain.UNAUTHENTICATED: status.HTTP_401_UNAUTHORIZED,
    domain.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    domain.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    domain.CONFLICT: status.HTTP_409_CONFLICT,
    domain.GONE: status.HTTP_410_GONE,
    domain.LIMIT: status.HTTP_403_FORBIDDEN,  # a plan or download allowance: the photographer/client may not, yet
    domain.TOO_LARGE: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    domain.THROTTLED: status.HTTP_429_TOO_MANY_REQUESTS,
    domain.UNAVAILABLE: status.HTTP_503_SERVICE_UNAVAILABLE,
}


class ApiError(exceptions.APIException):
    """Raise from a service or view: `raise ApiError("slot_taken", "That time was just booked.", 409)`."""

    def __init__(self, code: str, message: str, status_code: int = status.HTTP_400_BAD_REQUEST, fields=None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields


def api_error(exc: DomainError) -> ApiError:
    """The ApiError a domain error answers as: its code, message and fields, the status of its kind."""
    error = ApiError(exc.code, exc.message, STATUS_FOR_KIND[exc.kind], fields=exc.fields)
    if exc.retry_after:
        error.wait = exc.retry_after  # DRF's handler sends it as Retry-After, as for its own throttles
    return error


def _code_for(exc) -> str:
    if isinstance(exc, ApiError):
        return exc.error_code
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes() if hasattr(exc, "get_codes") else None
    return codes if isinstance(codes, str) else getattr(exc, "default_code", "error")


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        exc = api_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found. Check the id, and that it belongs to this studio.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = {"code": _code_for(exc)}
    if isinstance(exc, ApiError):
        body["message"] = str(exc.detail)
        if exc.fields:
            body["fields"] = exc.fields
    elif isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            non_field = detail.get("non_field_errors")
            body["message"] = str(non_field[0]) if non_field else "Some fields need attention."
            body["fields"] = {k: [str(m) for m in v] if isinstance(v, list) else v for k, v in detail.items()}
        else:
            body["message"] = str(detail[0]) if isinstance(detail, list) and detail else str(detail)
    else:
        body["message"] = str(exc.detail)
    headers = {k: v for k, v in response.items()}
    return Response({"error": body}, status=response.status_code, headers=headers)


def json_error(code: str, message: str, status_code: int, fields=None) -> JsonResponse:
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return JsonResponse({"error": body}, status=status_code)


def domain_error_response(exc: DomainError) -> JsonResponse:
    """For plain Django views under the API: the response the DRF handler gives the same error."""
    response = json_error(exc.code, exc.message, STATUS_FOR_KIND[exc.kind], exc.fields)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response
