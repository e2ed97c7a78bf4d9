"""The form-side face of billing's read-only rule, shared by the profile and domain screens."""

from django.core.exceptions import ValidationError

from billing.limits import StudioReadOnly, check_writable
from studios.models import Studio


def check_writable_for_form(studio: Studio) -> None:
    """A lapsed subscription keeps the studio readable but refuses changes (billing.limits.check_writable)."""

    try:
        check_writable(studio)
    except StudioReadOnly as exc:
        raise ValidationError(exc.message, code="read_only") from exc
