"""`Idempotency-Key` on creating POSTs, as Stripe's API does (docs/api.md "Retrying safely", DESIGN.md §12).

A client that sends `Idempotency-Key: <up to 255 characters>` and retries with the same key and the same request
gets the first answer again (status and body, plus `Idempotent-Replayed: true`) and nothing is done twice. The
answer is stored in the transaction of what the request created: if that commits, a retry finds it even when
the first answer never reached the client (a dropped connection); if it rolls back (an error, a killed
connection), nothing is stored and the key is free again. Keys are per studio and per caller (API key, gallery
access, or anonymous) and expire after IDEMPOTENCY_KEY_TTL_HOURS."""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from .errors import ApiError
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 255 characters, unique per operation (a UUID). A retry with the same key and the same request "
        "returns the first answer with `Idempotent-Replayed: true` and creates nothing; the same key with a "
        "different request is 422 `idempotency_key_reused`; while the first request is still running, 409 "
        "`idempotency_key_in_use`. An error answer stores nothing. Keys expire after 24 hours."
    ),
)


class KeyInUse(ApiError):
    wait = 1  # DRF's exception handler turns it into Retry-After


def idempotent(handler):
    """Decorate a view's POST handler to honour `Idempotency-Key`: an APIView method, a viewset's `create`, or
    an `@action` (put it above `@action`, which would drop the schema's header parameter)."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        studio = getattr(request, "studio", None)
        if key is None or studio is None or request.method != "POST":
            return handler(view, request, *args, **kwargs)
        _check_key(key)
        caller, fingerprint = caller_of(request), fingerprint_of(request)
        with transaction.atomic():
            _claim(studio, caller, key)
            stored = _stored(studio, caller, key)
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    raise ApiError(
                        "idempotency_key_reused",
                        "This Idempotency-Key was used for a different request. Use a new key for a new request.",
                        status.HTTP_422_UNPROCESSABLE_ENTITY,
                    )
                return Response(stored.body, status=stored.status_code, headers={REPLAYED_HEADER: "true"})
            response = handler(view, request, *args, **kwargs)
            try:
                # In the view's transaction: the answer is stored if and only if what it created commits.
                IdempotentRequest.objects.create(
                    studio=studio,
                    caller=caller,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=response.status_code,
                    body=getattr(response, "data", None),
                )
            except IntegrityError as exc:  # SQLite, which has no advisory lock: the other request won
                raise _in_use() from exc
        return response

    return extend_schema(methods=["POST"], parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper)


def caller_of(request) -> str:
    """Who may replay an answer: the API key or gallery access that authenticated, else anyone anonymous."""
    auth = request.auth
    if auth is not None and getattr(auth, "pk", None) is not None:
        return f"{auth._meta.model_name}:{auth.pk}"
    return "anonymous"


def fingerprint_of(request) -> str:
    """The same request gives the same fingerprint however its JSON is ordered or its multipart form is cut."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(json.dumps(_canonical(request.data), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _canonical(data):
    if isinstance(data, QueryDict):
        return {name: [_canonical(value) for value in data.getlist(name)] for name in data}
    if isinstance(data, UploadedFile):
        content = hashlib.sha256()
        for chunk in data.chunks():
            content.update(chunk)
        data.seek(0)  # the view reads it next
        return {"file": data.name, "sha256": content.hexdigest()}
    if isinstance(data, dict):
        return {str(name): _canonical(value) for name, value in data.items()}
    if isinstance(data, list):
        return [_canonical(value) for value in data]
    return data


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            "invalid_idempotency_key",
            f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters, e.g. a UUID.",
            status.HTTP_400_BAD_REQUEST,
        )


def _claim(studio, caller: str, key: str) -> None:
    """Hold the key until this transaction ends; a concurrent duplicate is told to retry, never run twice."""
    if connection.vendor != "postgresql":
        return  # SQLite writes one transaction at a time; the unique constraint settles the rest
    name = f"idempotency:{studio.pk}:{caller}:{key}".encode()
    lock_id = int.from_bytes(hashlib.sha256(name).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id])
        if not cursor.fetchone()[0]:
            raise _in_use()


def _stored(studio, caller: str, key: str) -> IdempotentRequest | None:
    stored = IdempotentRequest.objects.for_studio(studio).filter(caller=caller, key=key).first()
    if stored is not None and stored.created_at < expired_before():
        stored.delete()  # lazily, so an expired key is reusable before the purge task runs
        return None
    return stored


def expired_before():
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def _in_use() -> KeyInUse:
    return KeyInUse(
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still being processed. Retry in a moment.",
        status.HTTP_409_CONFLICT,
    )
