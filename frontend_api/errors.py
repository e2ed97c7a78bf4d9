"""One error shape for the whole API: {"error": {"code", "message", "fields"?}}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(exceptions.APIException):
    """Raise from a service or view: `raise ApiError("slot_taken", "That time was just booked.", 409)`."""

    def __init__(self, code: str, message: str, status_code: int = status.HTTP_400_BAD_REQUEST, fields=None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields


def _code_for(exc) -> str:
    if isinstance(exc, ApiError):
        return exc.error_code
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes() if hasattr(exc, "get_codes") else None
    return codes if isinstance(codes, str) else getattr(exc, "default_code", "error")


def exception_handler(exc, context):
    if isinstance(exc, Http404):
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


def json_error(code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status_code)
