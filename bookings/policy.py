"""A session type's policy for what a client may change online (their booking's manage page): until how
many hours before the session they may reschedule or cancel, how many times they may move it, and what
happens to the deposit when they cancel. Shown on the confirmation e-mail, the manage page and the public
packages API; enforced by bookings.selfservice."""

from dataclasses import dataclass
from datetime import datetime, timedelta

KEPT, REFUNDED = "kept", "refunded"


@dataclass(frozen=True)
class Policy:
    change_hours: int  # 0: no changes online
    reschedule_limit: int  # 0: cancel only
    deposit: str  # KEPT or REFUNDED on cancellation
    full_refund_hours: int  # > 0: cancelling at least this long before refunds the deposit too

    @classmethod
    def of(cls, session_type) -> "Policy":
        return cls(
            change_hours=session_type.client_change_hours,
            reschedule_limit=session_type.reschedule_limit,
            deposit=session_type.cancellation_deposit,
            full_refund_hours=session_type.full_refund_hours,
        )

    @property
    def changes_online(self) -> bool:
        return self.change_hours > 0

    def change_deadline(self, booking) -> datetime | None:
        """The last moment the client may change `booking` online; None when the policy allows no change."""
        if not self.changes_online:
            return None
        return booking.start - timedelta(hours=self.change_hours)

    def can_change(self, booking, now: datetime) -> bool:
        deadline = self.change_deadline(booking)
        return booking.is_active and booking.status != "completed" and deadline is not None and now < deadline

    def reschedules_left(self, booking) -> int:
        return max(self.reschedule_limit - booking.client_reschedules, 0)

    def deposit_refunded(self, booking, now: datetime) -> bool:
        """Whether a cancellation by the client now gets the deposit back."""
        if self.deposit == REFUNDED:
            return True
        return bool(self.full_refund_hours) and now <= booking.start - timedelta(hours=self.full_refund_hours)

    def as_dict(self) -> dict:
        return {
            "changes_online": self.changes_online,
            "change_until_hours_before": self.change_hours,
            "reschedule_limit": self.reschedule_limit,
            "deposit_on_cancellation": self.deposit,
            "full_refund_until_hours_before": self.full_refund_hours or None,
            "summary": self.summary(),
        }

    def sentences(self) -> list[str]:
        """The policy as a client reads it."""
        if not self.changes_online:
            lines = ["Rescheduling and cancelling are not available online; please contact the studio."]
        else:
            lines = [f"You can reschedule or cancel online until {_hours(self.change_hours)} before the session."]
            if self.reschedule_limit:
                times = "once" if self.reschedule_limit == 1 else f"up to {self.reschedule_limit} times"
                lines.append(f"You can move it yourself {times}.")
            else:
                lines.append("Online you can cancel it, but not move it.")
        if self.deposit == REFUNDED:
            lines.append("If you cancel, your deposit is refunded.")
        elif self.full_refund_hours:
            lines.append(
                f"If you cancel at least {_hours(self.full_refund_hours)} before the session, your deposit is "
                "refunded; later, the studio keeps it."
            )
        else:
            lines.append("If you cancel, the studio keeps your deposit.")
        lines.append("Anything you paid beyond the deposit is refunded.")
        return lines

    def summary(self) -> str:
        return " ".join(self.sentences())


def _hours(hours: int) -> str:
    if hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def policy_for(booking) -> Policy:
    return Policy.of(booking.session_type)
