"""Every URL pattern the project serves, and who may use it ("isolation by construction", issue 12).

`served_patterns()` walks the URL resolver; `classify()` puts each pattern in one class by the explicit
rules below (first match wins, no default):

- `studio`: serves one studio's data to its members, clients or site visitors; must be tried by the
  other studio (tests/studios/test_url_registry.py generates cross-studio requests for the admin ones).
- `platform`: platform staff only (Django's admin).
- `public`: carries no tenant data (health check, sign-in, static assets, the API's schema).
- `blocked`: Wagtail admin sections a studio's photographer is refused (sites, users, workflows…);
  `studios.admin_scoping.AdminPageScopeMiddleware` answers them 404 for anyone but a superuser.

A new URL that matches no rule fails `test_every_served_pattern_is_classified`: add it to a table here."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

STUDIO, PLATFORM, PUBLIC, BLOCKED = "studio", "platform", "public", "blocked"
CLASSES = (STUDIO, PLATFORM, PUBLIC, BLOCKED)


@dataclass(frozen=True)
class ServedPattern:
    route: str  # the full route, prefixes joined, e.g. "admin/pages/<int:page_id>/edit/"
    name: str  # "namespace:name", or "" for an unnamed pattern
    params: tuple[str, ...]  # the keyword arguments the route captures
    callback: object

    def __str__(self):
        return f"{self.route} ({self.name or 'unnamed'})"


# (class, route prefix). Ordered: the first prefix that matches wins, so narrow rules come first.
ROUTE_RULES: tuple[tuple[str, str], ...] = (
    (PLATFORM, "django-admin/"),
    (PUBLIC, "healthz"),
    (PUBLIC, "favicon.ico"),
    (PUBLIC, "static/"),
    (PUBLIC, "media/"),  # renditions only, on local storage (studios/media_views.py); anything else is 404
    (PUBLIC, "api/schema/"),
    (PUBLIC, "api/docs/"),
    (PUBLIC, "api/redoc/"),
    (PUBLIC, "_util/"),
    # The e-mail provider's tracking webhooks: authenticated by ANYMAIL WEBHOOK_SECRET, answer nothing of a
    # studio's; each event acts only on the studio that sent the message (studios/email_tracking.py).
    (PUBLIC, "anymail/"),  # Wagtail's front-end sign-in forms for private pages
    (PUBLIC, "admin/login/"),
    (PUBLIC, "admin/logout/"),
    (PUBLIC, "admin/password_reset/"),
    (PUBLIC, "admin/jsi18n/"),
    (PUBLIC, "admin/sprite-"),
    (PUBLIC, "admin/test404/"),
    (PUBLIC, "admin/failwhale/"),
    (BLOCKED, "admin/sites/"),
    (BLOCKED, "admin/users/"),
    (BLOCKED, "admin/groups/"),
    (BLOCKED, "admin/collections/"),
    (BLOCKED, "admin/workflows/"),
    (BLOCKED, "admin/redirects/"),
    (STUDIO, "admin/"),  # the rest of Wagtail's admin: scoped by studios/wagtail_hooks.py and admin_scoping.py
    (STUDIO, "api/client/"),
    (STUDIO, "api/studio/"),
    (STUDIO, "api/v2/"),  # Wagtail's API, narrowed to the host's studio (frontend_api.wagtail_api)
    (STUDIO, "api/^(?P<rest>.*)$"),  # the API's JSON 404 for unknown paths
    (STUDIO, "billing/"),
    (STUDIO, "contracts/<token:token>/"),  # the client's pages by secret link, looked up within the host's studio
    (STUDIO, "invoices/<token:token>/"),
    # The client portal: a session (cookie) or one-time link of the host's studio only (crm.portal).
    (STUDIO, "portal/"),
    (STUDIO, "bookings/manage/<token:token>/"),  # the client's booking page (reschedule, cancel), by secret link
    (STUDIO, "questionnaires/<token:token>/"),  # crm's questionnaire by secret link (cms/questionnaire_page.py)
    (STUDIO, "proposals/<token:token>/"),
    # A signed token naming its studio; 404 on any other studio's host (studios/unsubscribe_views.py).
    (STUDIO, "email/unsubscribe/"),
    # One studio's private file (original, document, contract PDF) by a signed, expiring link (studios/media.py).
    (STUDIO, "private-media/"),
    (STUDIO, "documents/"),  # Wagtail's document serving: collection privacy
    (STUDIO, "^((?:[\\w\\-]+/)*)$"),  # Wagtail's page serving, by the host's site
)


def _params(route: str) -> tuple[str, ...]:
    named = re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
    return tuple(named)


def served_patterns() -> list[ServedPattern]:
    found = []

    def walk(resolver, prefix="", namespace=""):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = (
                    ":".join(part for part in (namespace, pattern.namespace) if part)
                    if pattern.namespace
                    else namespace
                )
                walk(pattern, route, inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
                found.append(ServedPattern(route, name, _params(route), pattern.callback))

    walk(get_resolver())
    return found


def classify(pattern: ServedPattern) -> str | None:
    return classify_route(pattern.route)


def is_blocked(route: str) -> bool:
    return classify_route(route) == BLOCKED


def classify_route(route: str) -> str | None:
    for kind, prefix in ROUTE_RULES:
        if route.startswith(prefix):
            return kind
    return None


def registry() -> dict[str, list[ServedPattern]]:
    """The served patterns by class; `None` holds the unclassified ones."""
    table: dict = {kind: [] for kind in (*CLASSES, None)}
    for pattern in served_patterns():
        table[classify(pattern)].append(pattern)
    return table


def counts() -> dict[str, int]:
    return {str(kind): len(patterns) for kind, patterns in registry().items()}
