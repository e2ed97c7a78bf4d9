"""Actions a higher app adds to a booking's screen (e.g. contracts: "Issue contract"), so bookings'
admin imports none of them (docs/architecture.md, layers).

A function registered with `hooks.register(BOOKING_ACTIONS_HOOK)` returns `BookingAction`s: each gets a
POST URL `<pk>/<path>/` named `bookings:<name>` and, where `label(booking)` gives one, a button on the
booking's page. The view checks the booking is the photographer's and reports the outcome like the
bookings' own actions."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from wagtail import hooks

from ..models import Booking

BOOKING_ACTIONS_HOOK = "register_booking_admin_buttons"


@dataclass(frozen=True)
class BookingAction:
    name: str  # the URL name in the "bookings" namespace
    path: str  # the URL after "<pk>/"
    # Does it; a ValueError's message is shown to the photographer instead of `success`.
    operation: Callable[[Booking, HttpRequest], object]
    success: str
    label: Callable[[Booking], str | None]  # the button's text; None: no button for this booking
    classname: str = "button button-secondary"


@dataclass(frozen=True)
class BookingButton:
    label: str
    url: str
    classname: str


def booking_actions() -> list[BookingAction]:
    return [action for register in hooks.get_hooks(BOOKING_ACTIONS_HOOK) for action in register()]
