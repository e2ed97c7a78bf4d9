"""OpenAPI (drf-spectacular) for our own API only: /api/client/ and /api/studio/.
Wagtail's admin API and API v2 are Wagtail's, documented by Wagtail."""

PUBLIC_PREFIXES = ("/api/client/", "/api/studio/")


def only_public_api(endpoints, **kwargs):
    return [e for e in endpoints if e[0].startswith(PUBLIC_PREFIXES)]
