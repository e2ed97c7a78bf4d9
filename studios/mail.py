"""A studio's templated e-mail: subject, text (and HTML where a template exists) from `templates/email/`,
sent through Django's mail API (django-anymail in production, see docs/architecture.md).

Every app's e-mail is rendered here (`build_studio_mail`) and queued in the outbox (`studios.outbox.
queue_studio_mail`), which sends it after commit and retries it. `send_studio_mail` sends at once and
`send_studio_mail_on_commit` once the transaction commits: neither retries, so app code uses the outbox."""

import re
from collections.abc import Iterable, Sequence
from contextlib import nullcontext

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from .models import Studio

# (filename, content, mimetype), as EmailMessage.attach takes them.
Attachment = tuple[str, bytes | str, str]

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


def _render_html(template_prefix: str, context: dict) -> str | None:
    try:
        template = get_template(f"email/{template_prefix}.html")
    except TemplateDoesNotExist:
        return None
    return template.render(context)


def build_studio_mail(
    studio: Studio,
    to: Sequence[str],
    template_prefix: str,
    context: dict,
    *,
    subject: str | None = None,
    attachments: Iterable[Attachment] = (),
    reply_to: Sequence[str] | None = None,
    studio_time: bool = False,
) -> EmailMultiAlternatives:
    """The message, rendered and not yet sent.

    `email/<prefix>_subject.txt` gives the subject unless `subject` is passed; `email/<prefix>.txt` the
    body; `email/<prefix>.html`, when it exists, an HTML alternative. `studio_time` renders dates in the
    studio's zone (else the server's). From is DEFAULT_FROM_EMAIL for now. The subject, rendered or
    passed, is made header-safe here (`header_safe_subject`), the one place every e-mail passes."""
    # Only bookings and contracts rendered in the studio's zone so far; the others keep theirs unchanged.
    with timezone.override(studio.tz) if studio_time else nullcontext():
        if subject is None:
            subject = render_to_string(f"email/{template_prefix}_subject.txt", context).strip()
        body = render_to_string(f"email/{template_prefix}.txt", context)
        html = _render_html(template_prefix, context)
    message = EmailMultiAlternatives(header_safe_subject(subject), body, to=list(to), reply_to=reply_to)
    if html is not None:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_studio_mail(studio: Studio, to: Sequence[str], template_prefix: str, context: dict, **options):
    """Render (`build_studio_mail`, which takes the same options) and send now; returns the sent message."""
    message = build_studio_mail(studio, to, template_prefix, context, **options)
    message.send()
    return message


def send_studio_mail_on_commit(studio: Studio, to: Sequence[str], template_prefix: str, context: dict, **options):
    """Render now (what the transaction sees) and send once it commits; a rollback sends nothing.
    Work that should retry on a mail outage queues a Celery task on commit instead."""
    message = build_studio_mail(studio, to, template_prefix, context, **options)
    transaction.on_commit(message.send)
    return message
