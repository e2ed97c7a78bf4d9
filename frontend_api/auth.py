"""Studio API authentication: `Authorization: Bearer ff_<prefix>_<secret>`."""

from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from billing.limits import PlanLimitReached, check_writable, require_feature
from studios import rls, site_roots

from .errors import api_error
from .models import KEY_PREFIX, ApiKey

LAST_USED_PRECISION = timedelta(minutes=1)  # don't write on every request


class ApiKeyUser:
    """The caller behind an API key: authenticated, never staff, belongs to one studio."""

    is_authenticated = True
    is_active = True
    is_staff = is_superuser = False

    def __init__(self, key: ApiKey):
        self.key = key
        self.pk = None

    def __str__(self):
        return f"API key {self.key.prefix}"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).decode(errors="replace")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.startswith(KEY_PREFIX):
            return None
        _, prefix, secret = (token.split("_", 2) + ["", ""])[:3]
        with rls.platform():  # the key decides the studio, so finding it cannot wait for one
            key = (
                ApiKey.objects.select_related("studio", "studio__site__root_page__locale").filter(prefix=prefix).first()
            )
        if key is None or not secret or not constant_time_compare(key.secret_hash, ApiKey.hash_secret(secret)):
            raise exceptions.AuthenticationFailed("This API key is not valid. Check it was copied whole.")
        rls.narrow_request(request._request, rls.for_studios([key.studio]))
        if not key.is_active:
            raise exceptions.AuthenticationFailed("This API key was revoked. Create a new one in the studio's admin.")
        try:
            require_feature(key.studio, "api_access")
        except PlanLimitReached as exc:
            raise api_error(exc) from exc  # DRF expects an APIException from authenticate()
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        # The key decides the studio, whatever host the call came to; its page URLs come from its own site only.
        request._request.studio = key.studio
        if key.studio.site is not None:
            site_roots.narrow_request(request._request, [site_roots.root_path_of(key.studio.site)])
        return ApiKeyUser(key), key

    def authenticate_header(self, request):
        return 'Bearer realm="FocusFlow studio API"'


class HasApiKeyScope(permissions.BasePermission):
    message = "This API key is read-only; create a key with the write scope to change data."

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            raise exceptions.NotAuthenticated("Send your studio API key as `Authorization: Bearer ff_…`.")
        if request.method in permissions.SAFE_METHODS:
            return True
        if key.scope != ApiKey.Scope.WRITE:
            return False
        check_writable(key.studio)  # a lapsed subscription reads but does not write (403 subscription_lapsed)
        return True


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Per key, so one busy integration cannot starve another studio's."""

    scope = "studio_api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
        return None
