"""The e-mail outbox: every e-mail the platform sends is a row (`OutgoingEmail`) written in the transaction that
decides to send it, so it commits or rolls back with what it reports. After commit a Celery task sends it; a
beat sweeper sends what that missed (Redis down, a worker killed) and retries failures with back-off; after
`EMAIL_OUTBOX_MAX_ATTEMPTS` the row is `failed` and the `email.failed` event puts it on the client's timeline.

One row per logical message (a unique key per studio), and one sender at a time (a conditional update to
`sending` with a lease), so neither a re-run of the producing code nor two workers send it twice."""

import base64
import logging
from collections.abc import Sequence
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import events, suppression
from .background import publish_quietly, queue_after_commit, retry_delay
from .emails import email_spec
from .mail import build_studio_mail
from .models import OutgoingEmail, Studio

logger = logging.getLogger(__name__)

State = OutgoingEmail.State

# Retrying cannot mend these: the message itself is wrong.
PERMANENT_ERRORS = (BadHeaderError,)


def queue_studio_mail(
    studio: Studio, to: Sequence[str], template_prefix: str, context: dict, *, key: str, about=None, **options
) -> OutgoingEmail:
    """Render now (what this transaction sees) and store the message; it is sent once the transaction commits.

    `key` names the logical message ("booking:12:confirmed"): queueing it again returns the first row and
    sends nothing. `about` is the object it concerns (its client's timeline hears of a failure). The options
    are `build_studio_mail`'s."""
    existing = OutgoingEmail.objects.for_studio(studio).filter(key=key).first()
    if existing is not None:
        return existing
    message = build_studio_mail(studio, to, template_prefix, context, **options)
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    marketing = getattr(message, "marketing", False)
    stopped = suppression.blocked(studio, message.to, marketing=marketing)
    recipients = [address for address in message.to if address not in stopped]
    email, created = OutgoingEmail.objects.get_or_create(
        studio=studio,
        key=key,
        defaults={
            "template": template_prefix,
            "to": recipients or list(message.to),
            "from_email": message.from_email,
            "reply_to": list(message.reply_to),
            "headers": dict(message.extra_headers),
            "marketing": marketing,
            # Nobody left to send to: kept (the studio sees why), never sent.
            "state": State.PENDING if recipients else State.SUPPRESSED,
            "last_error": "" if recipients else _not_sent(stopped),
            "subject": message.subject,
            "body": message.body,
            "html": html,
            "attachments": [_stored_attachment(*attachment) for attachment in message.attachments],
            "about_type": ContentType.objects.get_for_model(about) if about is not None else None,
            "about_id": str(about.pk) if about is not None else "",
            # If the publish after commit is lost, the sweeper sends it from then on.
            "next_attempt_at": timezone.now() + _seconds("EMAIL_OUTBOX_SWEEP_AFTER_SECONDS"),
        },
    )
    if created and recipients:
        queue_after_commit(deliver_email, email.pk)
    return email


def send_templated_email(
    studio: Studio, template_key: str, to: Sequence[str], context: dict, *, key: str, about=None, **options
) -> OutgoingEmail:
    """Render the studio's `template_key` e-mail (studios.emails: its wording or the platform's default) with
    `context` and queue it: sent after commit, retried, never to a bounced address nor, if marketing-type, to
    an unsubscribed one. `key` names the logical message (queueing it again sends nothing). The one call a
    workflow's "send templated e-mail" action needs."""
    if email_spec(template_key) is None:
        raise ValueError(f"unknown e-mail template {template_key!r}")
    return queue_studio_mail(studio, to, template_key, context, key=key, about=about, **options)


def _not_sent(stopped: dict[str, str]) -> str:
    return "Not sent: " + ", ".join(f"{address} ({why})" for address, why in stopped.items())


def deliver(email_id: int) -> str:
    """One attempt at sending; returns the row's state afterwards ("busy" when another worker holds it)."""
    now = timezone.now()
    claimable = Q(state=State.PENDING) & (Q(attempts=0) | Q(next_attempt_at__lte=now))
    claimable |= Q(state=State.SENDING, leased_until__lt=now)  # its worker died mid-send
    claimed = OutgoingEmail.objects.filter(claimable, pk=email_id).update(
        state=State.SENDING, leased_until=now + _seconds("EMAIL_OUTBOX_LEASE_SECONDS"), attempts=F("attempts") + 1
    )
    email = OutgoingEmail.objects.select_related("studio").filter(pk=email_id).first()
    if email is None:
        return "gone"
    if not claimed:
        return email.state if email.state != State.SENDING else "busy"
    # A bounce or an unsubscribe may have arrived since the message was queued.
    stopped = suppression.blocked(email.studio, email.to, marketing=email.marketing)
    if stopped and len(stopped) == len(email.to):
        OutgoingEmail.objects.filter(pk=email.pk, state=State.SENDING).update(
            state=State.SUPPRESSED, leased_until=None, last_error=_not_sent(stopped)
        )
        return State.SUPPRESSED
    message = as_message(email, skip=stopped)
    try:
        message.send()
    except Exception as exc:
        return record_failure(email, exc)
    # Conditional on the lease we hold; the Message-ID lets a receiver drop a resend after a lost update.
    OutgoingEmail.objects.filter(pk=email.pk, state=State.SENDING).update(
        state=State.SENT,
        sent_at=timezone.now(),
        leased_until=None,
        last_error="",
        provider_message_id=_provider_message_id(message),
    )
    return State.SENT


def _provider_message_id(message) -> str:
    """The id django-anymail's backends report (`anymail_status.message_id`; a set when recipients differ)."""
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    if not message_id:
        return ""
    if isinstance(message_id, set | frozenset | list | tuple):
        message_id = sorted(str(m) for m in message_id if m)[0] if message_id else ""
    return str(message_id)[:200]


def record_failure(email: OutgoingEmail, exc: Exception) -> str:
    """Schedule the next attempt, or give up (after the last attempt, or at once for a malformed message)."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("E-mail %s (%s) failed on attempt %s: %s", email.pk, email.key, email.attempts, error)
    give_up = isinstance(exc, PERMANENT_ERRORS) or email.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS
    with transaction.atomic():
        if give_up:
            updated = OutgoingEmail.objects.filter(pk=email.pk, state=State.SENDING).update(
                state=State.FAILED, leased_until=None, last_error=error
            )
            if updated:
                email.state, email.last_error = State.FAILED, error
                events.publish(email.studio, "email.failed", email)
            return State.FAILED
        delay = retry_delay(
            email.attempts,
            base_seconds=settings.EMAIL_OUTBOX_RETRY_SECONDS,
            max_seconds=settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS,
        )
        OutgoingEmail.objects.filter(pk=email.pk, state=State.SENDING).update(
            state=State.PENDING, leased_until=None, last_error=error, next_attempt_at=timezone.now() + delay
        )
    return State.PENDING


def due_for_sending(now=None, limit: int = 500) -> list[int]:
    """What the sweeper sends: waiting rows whose time has come, and rows whose sender died (lease over)."""
    now = now or timezone.now()
    due = Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING, leased_until__lt=now)
    return list(OutgoingEmail.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def retry(email: OutgoingEmail) -> None:
    """Send a failed e-mail again as a new series of attempts (platform staff's admin action)."""
    OutgoingEmail.objects.filter(pk=email.pk, state=State.FAILED).update(
        state=State.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    queue_after_commit(deliver_email, email.pk)


def as_message(email: OutgoingEmail, skip=()) -> EmailMultiAlternatives:
    """The stored message as sent (without the addresses in `skip`), from the studio's name."""
    message = EmailMultiAlternatives(
        email.subject,
        email.body,
        from_email=email.from_email or None,
        to=[address for address in email.to if address not in skip],
        reply_to=email.reply_to or None,
        # The same Message-ID on every attempt of one logical message.
        headers={
            **(email.headers or {}),
            "Message-ID": f"<outbox-{email.pk}-{int(email.created_at.timestamp())}@{settings.BASE_DOMAIN}>",
        },
    )
    # django-anymail passes metadata to the provider, whose tracking webhooks send it back
    # (studios/email_tracking.py: which studio a bounce belongs to). Other backends ignore it.
    message.metadata = {"studio": str(email.studio_id), "outbox": str(email.pk)}
    if email.html:
        message.attach_alternative(email.html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], base64.b64decode(attachment["base64"]), attachment["mimetype"])
    return message


def _stored_attachment(filename: str, content, mimetype: str) -> dict:
    raw = content.encode() if isinstance(content, str) else bytes(content)
    return {"filename": filename, "mimetype": mimetype, "base64": base64.b64encode(raw).decode("ascii")}


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


# The outbox's tasks, beside what they run (studios.tasks imports them, so every worker registers them).
# ignore_result: publishing then never waits on the result backend (a Redis outage would hold it for 20 s).
@shared_task(name="studios.tasks.deliver_email", acks_late=True, ignore_result=True)
def deliver_email(email_id: int) -> str:
    """One attempt; a failure is recorded on the row and the sweeper retries it. Even when recording fails
    (the database is down), the row keeps its lease and the sweeper sends it once the lease ends."""
    try:
        return deliver(email_id)
    except Exception:
        logger.exception("Could not send or record e-mail %s; the sweeper retries it", email_id)
        return "error"


@shared_task(name="studios.tasks.retry_due_emails", ignore_result=True)
def retry_due_emails() -> int:
    """Beat: queue every e-mail that is due (new and missed, retrying, or abandoned by a dead worker)."""
    due = due_for_sending()
    for email_id in due:
        publish_quietly(deliver_email, email_id)
    return len(due)
