"""A studio's e-mail, sent as the studio: rendered from its template (studios/emails.py: the studio's wording or
the platform's default), sent through Django's mail API (django-anymail in production, docs/architecture.md).

Every app's e-mail is rendered here (`build_studio_mail`) and queued in the outbox (`studios.outbox.
queue_studio_mail`), which sends it after commit and retries it. `send_studio_mail` sends at once and
`send_studio_mail_on_commit` once the transaction commits: neither retries, so app code uses the outbox."""

from collections.abc import Iterable, Sequence
from contextlib import nullcontext

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from .emails import email_spec, header_safe_subject, render_email, studio_from_address, studio_reply_address
from .links import studio_url
from .models import Studio
from .suppression import unsubscribe_token

__all__ = ["build_studio_mail", "header_safe_subject", "send_studio_mail", "send_studio_mail_on_commit"]

# (filename, content, mimetype), as EmailMessage.attach takes them.
Attachment = tuple[str, bytes | str, str]


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
    """The message, rendered and not yet sent, as the studio: `From: "<Studio name>" <platform address>`,
    `Reply-To:` `reply_to` or the studio's address.

    A registered e-mail (studios.emails, every system e-mail) is rendered from the studio's wording or the
    platform's default, text and HTML from one source; its `marketing` flag is set on the message
    (`message.marketing`) with List-Unsubscribe headers for the first recipient. Anything else falls back to
    `email/<prefix>_subject.txt`, `email/<prefix>.txt` and `email/<prefix>.html`. `studio_time` renders dates
    in the studio's zone (else the server's). The subject is made header-safe here (`header_safe_subject`),
    the one place every e-mail passes."""
    spec = email_spec(template_prefix)
    headers: dict[str, str] = {}
    marketing = bool(spec and spec.marketing)
    # Only bookings and contracts rendered in the studio's zone so far; the others keep theirs unchanged.
    with timezone.override(studio.tz) if studio_time else nullcontext():
        if spec is not None:
            unsubscribe_url = ""
            if marketing and to:
                unsubscribe_url = studio_url(studio, f"/email/unsubscribe/{unsubscribe_token(studio, to[0])}/")
                headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            rendered = render_email(studio, spec, spec.values(context), unsubscribe_url=unsubscribe_url)
            subject = rendered.subject if subject is None else subject  # a given subject wins
            body, html = rendered.text, rendered.html
        else:
            if subject is None:
                subject = render_to_string(f"email/{template_prefix}_subject.txt", context).strip()
            body = render_to_string(f"email/{template_prefix}.txt", context)
            html = _render_html(template_prefix, context)
    message = EmailMultiAlternatives(
        header_safe_subject(subject),
        body,
        from_email=studio_from_address(studio),
        to=list(to),
        reply_to=list(reply_to or []) or studio_reply_address(studio) or None,
        headers=headers,
    )
    message.marketing = marketing
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
