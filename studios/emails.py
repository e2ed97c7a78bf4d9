"""The studio's e-mails as studio-editable content: a registry of every e-mail the platform sends
(`EmailSpec`, contributed by each app through the `register_email_templates` hook), the studio's own wording
(`EmailTemplate`, edited in the admin) or the platform's default, and one renderer for both parts.

Subject and body use the sandbox's `{{ variables }}` (studios/sandbox.py, as contracts do): a value is
always text. The plain-text part and the HTML part come from the same source: the text part gets the
values as they are (never an HTML entity: `O'Brien & Sons`), the HTML part gets them escaped; URLs the
studio typed and link variables become links, a client's text never does. A line whose variables are all
empty is left out (no "Download PIN: " without a PIN).

`studios.outbox.send_templated_email(studio, key, to, context, key=…)` is the one call for an e-mail (what a
workflow's "send templated e-mail" action calls): rendered now, queued in the outbox."""

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe
from wagtail import hooks

from . import sandbox
from .links import studio_url
from .models import EmailTemplate, Membership, Studio

logger = logging.getLogger(__name__)

HOOK = "register_email_templates"

STUDIO_VARIABLES = {
    "studio.name": "Your studio's name",
    "studio.email": "Your studio's contact e-mail",
    "studio.url": "Your site's address",
}
CLIENT_VARIABLES = {"client.name": "The client's name", "client.email": "The client's e-mail address"}
SAMPLE_CLIENT = {"client.name": "Siobhán O'Brien & Sons", "client.email": "siobhan@example.com"}

Values = Mapping[str, object]  # a value is text, or a list of lines


@dataclass(frozen=True)
class EmailSpec:
    """One e-mail the platform sends. `values(context)` turns the sender's context into the variables'
    values; `sample` stands in for them in the admin's preview. `marketing` e-mails can be unsubscribed
    from (List-Unsubscribe); the others are transactional and always go out (unless the address bounced)."""

    key: str
    label: str
    subject: str
    body: str
    variables: Mapping[str, str]
    values: Callable[[dict], dict]
    sample: Mapping[str, object] = field(default_factory=dict)
    audience: str = "client"  # who receives it: "client", "studio" (the photographer) or "team"
    marketing: bool = False
    # Variables whose values the platform makes and may hold links (a contract link, next steps).
    linked: frozenset = frozenset()

    @property
    def all_variables(self) -> dict[str, str]:
        return {**STUDIO_VARIABLES, **self.variables}

    def is_linked(self, name: str) -> bool:
        return name in self.linked or name.endswith((".url", ".link"))


def email_specs() -> dict[str, EmailSpec]:
    """Every registered e-mail by key (each app's `register_email_templates` hook returns a list of specs)."""
    specs: dict[str, EmailSpec] = {}
    for fn in hooks.get_hooks(HOOK):
        for spec in fn():
            specs[spec.key] = spec
    return specs


def email_spec(key: str) -> EmailSpec | None:
    return email_specs().get(key)


# Subjects carry client text (a booking name): line breaks would make Django refuse the message
# (BadHeaderError) and lose it, so every line break, control character and run of white space is one space.
_SUBJECT_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
SUBJECT_MAX_LENGTH = 200


def header_safe_subject(subject: str) -> str:
    """`subject` on one line, at most SUBJECT_MAX_LENGTH characters (cut with an ellipsis)."""
    subject = _SUBJECT_BREAKS.sub(" ", str(subject)).strip()
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
    return subject


# --- Sender -------------------------------------------------------------------------------------------------

_HEADER_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_safe_name(name: str) -> str:
    """A display name on one line (line breaks and control characters become spaces); quoting is formataddr's."""
    return _HEADER_UNSAFE.sub(" ", str(name)).strip()[:100]


def sending_address() -> str:
    return settings.STUDIO_SENDING_ADDRESS or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def studio_from_address(studio: Studio) -> str:
    """`"<Studio name>" <platform sending address>`: the studio's name, the platform's verified address."""
    return formataddr((header_safe_name(studio.name) or "FocusFlow", sending_address()))


def studio_reply_address(studio: Studio) -> list[str]:
    """Where a client's reply goes: the studio's contact address, else its first owner's."""
    if studio.contact_email:
        return [studio.contact_email]
    owner = (
        Membership.objects.for_studio(studio)
        .filter(role=Membership.Role.OWNER)
        .exclude(user__email="")
        .order_by("pk")
        .values_list("user__email", flat=True)
        .first()
    )
    return [owner] if owner else []


# --- Rendering ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def studio_values(studio: Studio) -> dict[str, str]:
    return {"studio.name": studio.name, "studio.email": studio.contact_email, "studio.url": studio_url(studio)}


def wording(studio: Studio, spec: EmailSpec) -> tuple[str, str]:
    """The studio's subject and body for `spec`, or the platform's current default (no row, or a row that
    follows the default); a stored wording that no longer passes the sandbox (a variable withdrawn since)
    falls back to the default, logged. One query."""
    row = (
        EmailTemplate.objects.for_studio(studio)
        .filter(key=spec.key, follows_default=False)
        .only("subject", "body")
        .first()
    )
    if row is None:
        return spec.subject, spec.body
    errors = sandbox.check_all([row.subject, row.body], spec.all_variables)
    if errors:
        logger.warning(
            "Studio %s's e-mail template %s is invalid, sending the default: %s", studio.pk, spec.key, errors
        )
        return spec.subject, spec.body
    return row.subject, row.body


def _is_empty(value) -> bool:
    if isinstance(value, list | tuple):
        return not any(str(item).strip() for item in value)
    return value is None or not str(value).strip()


def _text_value(value) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(sandbox.as_text(item, guard=False) for item in value if str(item).strip())
    return sandbox.as_text("" if value is None else value, guard=False)


def _html_value(spec: EmailSpec, name: str, value) -> str:
    items = value if isinstance(value, list | tuple) else [value]
    parts = []
    for item in items:
        text = sandbox.as_text("" if item is None else item, guard=False)
        if not text:
            continue
        # Only the platform's own values become links; a client's text is escaped and stays text.
        parts.append(urlize(text, autoescape=True) if spec.is_linked(name) else escape(text))
    return "<br>\n".join(parts)


def render_body(spec: EmailSpec, body: str, values: Values) -> tuple[str, str]:
    """(text, html body) from one source."""
    variables = spec.all_variables
    errors = sandbox.check(body, variables)
    if errors:
        raise sandbox.SandboxError(errors)
    paragraphs: list[tuple[list[str], list[str]]] = []
    text_lines: list[str] = []
    html_lines: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if text_lines:
                paragraphs.append((text_lines, html_lines))
            text_lines, html_lines = [], []
            continue
        pieces = sandbox.segments(line, variables)
        names = [piece for piece, is_variable in pieces if is_variable]
        if names and all(_is_empty(values.get(name)) for name in names):
            continue  # a line about something this message does not have
        text = "".join(_text_value(values.get(p)) if var else p for p, var in pieces)
        html = "".join(_html_value(spec, p, values.get(p)) if var else urlize(p, autoescape=True) for p, var in pieces)
        text_lines.append(text.rstrip())
        html_lines.append(html.rstrip())
    if text_lines:
        paragraphs.append((text_lines, html_lines))
    text = "\n\n".join("\n".join(t) for t, _ in paragraphs) + "\n"
    html = "\n".join("<p>" + "<br>\n".join(h) + "</p>" for _, h in paragraphs)
    return text, html


_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")


def render_email(
    studio: Studio,
    spec: EmailSpec,
    values: Values,
    *,
    subject: str | None = None,
    body: str | None = None,
    unsubscribe_url: str = "",
) -> RenderedEmail:
    """Render `spec` for `studio` with `values` (the studio's wording unless `subject`/`body` are given)."""
    if subject is None or body is None:
        stored_subject, stored_body = wording(studio, spec)
        subject = stored_subject if subject is None else subject
        body = stored_body if body is None else body
    values = {**studio_values(studio), **values}
    rendered_subject = header_safe_subject(sandbox.render(subject, values, spec.all_variables, guard=False))
    text, html_body = render_body(spec, body, values)
    if unsubscribe_url:
        text += f"\n--\nUnsubscribe from these e-mails: {unsubscribe_url}\n"
    colour = studio.primary_color if _COLOUR.match(studio.primary_color or "") else "#1f2933"
    html = render_to_string(
        "email/layout.html",
        {
            "studio_name": studio.name,
            "colour": colour,
            "body": mark_safe(html_body),  # noqa: S308 - built above from escaped values
            "subject": rendered_subject,
            "unsubscribe_url": unsubscribe_url,
        },
    )
    return RenderedEmail(rendered_subject, text, html)


def preview(studio: Studio, spec: EmailSpec, *, subject: str | None = None, body: str | None = None):
    """The e-mail as a sample client would get it (the admin's preview)."""
    values = {**SAMPLE_CLIENT, **spec.sample}
    unsubscribe = studio_url(studio, "/email/unsubscribe/preview/") if spec.marketing else ""
    return render_email(studio, spec, values, subject=subject, body=body, unsubscribe_url=unsubscribe)


# --- Helpers for the apps' specs ----------------------------------------------------------------------------

DATE = "%A %-d %B %Y"
DATE_TIME = "%A %-d %B %Y, %H:%M %Z"


def when(studio: Studio, moment, fmt: str = DATE_TIME) -> str:
    """`moment` in the studio's zone ('' for none)."""
    return moment.astimezone(studio.tz).strftime(fmt) if moment else ""


def client_values(client) -> dict[str, str]:
    if client is None:
        return {"client.name": "", "client.email": ""}
    return {"client.name": client.name, "client.email": client.email}


def numbered(heading: str, items: Sequence[str]) -> list[str]:
    """A heading and numbered lines, or nothing without items (the line is then left out)."""
    return [heading, *(f"{n}. {item}" for n, item in enumerate(items, 1))] if items else []
