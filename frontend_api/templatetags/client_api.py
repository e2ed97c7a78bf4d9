"""The public client API's answers, rendered into a studio page's HTML for its first paint.

The booking page (templates/bookings/booking_page.html, static/site/booking.js) is built on the public client API,
as a custom site would be; fetching its packages after the page had painted pushed everything below them down
(Lighthouse CLS 0.19, issue 14). The page now carries the same JSON the API answers (`GET /api/client/studio/`
and `/api/client/packages/`), draws the package cards from it on the server, and booking.js starts from it
without a round trip."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from bookings.api.views import package_list

from ..profile_api import studio_profile
from ..site import require_studio

register = template.Library()


@register.simple_tag(takes_context=True)
def booking_first_state(context) -> dict | None:
    """`{"profile": <GET /api/client/studio/>, "packages": <GET /api/client/packages/>}` for the request's studio."""
    request = context.get("request")
    if request is None or getattr(request, "studio", None) is None:
        return None  # not served at a studio's host (an admin preview): booking.js asks the API itself
    studio = require_studio(request)
    return {"profile": studio_profile(request, studio), "packages": package_list(request, studio)}


@register.filter
def minutes(total) -> str:
    """90 → '1 hour 30 minutes', as booking.js's formatDuration writes a package's `duration_minutes`."""
    hours, rest = divmod(int(total or 0), 60)
    parts = ([f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []) + ([f"{rest} minutes"] if rest else [])
    return " ".join(parts) or "0 minutes"


@register.filter
def script_json(value) -> str:
    """`value` as JSON for an inline `<script type="application/json">` (which carries the page's CSP nonce, so
    Django's json_script, which writes its own tag, is not used): `<`, `>` and `&` escaped as json_script does."""
    text = json.dumps(value, cls=DjangoJSONEncoder).replace("&", "\\u0026").replace("<", "\\u003C")
    return mark_safe(text.replace(">", "\\u003E"))  # noqa: S308 - no <, > or & left to end the script
