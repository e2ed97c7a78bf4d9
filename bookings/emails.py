"""The booking e-mails' defaults and variables (studios.emails; registered in bookings/wagtail_hooks.py)."""

from studios.emails import CLIENT_VARIABLES, DATE, EmailSpec, client_values, numbered, when
from studios.formatting import format_moment

from .policy import policy_for

VARIABLES = {
    **CLIENT_VARIABLES,
    "client.phone": "The client's phone number",
    "package.name": "The session type's name",
    "booking.start": "Date and time the session starts (studio time)",
    "booking.end": "Time the session ends (studio time)",
    "booking.date": "Date of the session",
    "booking.location": "Where the session takes place",
    "booking.notes": "The client's notes",
    "booking.status": "Booked or confirmed",
    "booking.next_steps": "What the client does next (sign the contract, pay the deposit), with links",
    "booking.previous_start": "When the session was before it moved",
    "booking.reason": "Why it was cancelled",
    "booking.manage_url": "The client's page to reschedule or cancel the booking",
    "booking.policy": "The session type's rescheduling and cancellation policy",
    "booking.deposit_outcome": "On a cancellation: whether the deposit is refunded or kept",
}
SAMPLE = {
    "client.phone": "+44 20 7946 0000",
    "package.name": "Family portrait",
    "booking.start": "Saturday 6 June 2026, 10:00 BST",
    "booking.end": "11:00 BST",
    "booking.date": "Saturday 6 June 2026",
    "booking.location": "Victoria Park, east gate",
    "booking.notes": "Two children, one dog",
    "booking.status": "Booked",
    "booking.next_steps": ["Next:", "1. Read and sign your contract: https://example.com/contracts/sample/"],
    "booking.previous_start": "Friday 5 June 2026, 16:00 BST",
    "booking.reason": "Illness",
    "booking.manage_url": "https://example.com/bookings/manage/sample/",
    "booking.policy": "You can reschedule or cancel online until 48 hours before the session.",
    "booking.deposit_outcome": "As the studio's policy says, your deposit is refunded.",
}

DEPOSIT_OUTCOME = {
    True: "As the studio's policy says, your deposit (if you paid one) is refunded to your card.",
    False: "As the studio's policy says, the studio keeps the deposit; anything paid beyond it is refunded.",
    None: "",
}


def values(context: dict) -> dict:
    booking, studio = context["booking"], context["studio"]
    previous = context.get("previous_start")
    return {
        **client_values(booking.client),
        "client.phone": booking.client.phone,
        "package.name": booking.session_type.name,
        "booking.start": when(studio, booking.start),
        "booking.end": when(studio, booking.end, "%H:%M %Z"),
        "booking.date": when(studio, booking.start, DATE),
        "booking.location": booking.location or booking.session_type.location,
        "booking.notes": booking.notes,
        "booking.status": booking.get_status_display(),
        "booking.next_steps": numbered("Next:", context.get("next_steps") or []),
        "booking.previous_start": format_moment(studio, previous) if previous else "",
        "booking.reason": context.get("reason", ""),
        "booking.manage_url": booking.manage_url,
        "booking.policy": policy_for(booking).summary(),
        "booking.deposit_outcome": DEPOSIT_OUTCOME.get(context.get("refund_deposit")),
    }


def _spec(key, label, subject, body, audience="client"):
    return EmailSpec(
        key=key,
        label=label,
        subject=subject,
        body=body,
        variables=VARIABLES,
        values=values,
        sample=SAMPLE,
        audience=audience,
        linked=frozenset({"booking.next_steps"}),
    )


SPECS = [
    _spec(
        "booking_confirmed",
        "Booking confirmed (to the client, with the calendar file)",
        "Confirmed: {{ package.name }} on {{ booking.date }}",
        """Hi {{ client.name }},

Your {{ package.name }} with {{ studio.name }} is confirmed:
{{ booking.start }} – {{ booking.end }}
{{ booking.location }}

The attached calendar file adds it to your calendar.

{{ booking.next_steps }}

To reschedule or cancel: {{ booking.manage_url }}
{{ booking.policy }}

{{ studio.name }}""",
    ),
    _spec(
        "booking_requested",
        "Booking request received (to the client)",
        "We received your booking request — {{ studio.name }}",
        """Hi {{ client.name }},

Thank you for booking {{ package.name }} on {{ booking.start }}.
{{ studio.name }} will confirm shortly.

{{ booking.next_steps }}

To reschedule or cancel: {{ booking.manage_url }}
{{ booking.policy }}

{{ studio.name }}""",
    ),
    _spec(
        "booking_reminder",
        "Session reminder (to the client)",
        "Reminder: {{ package.name }} on {{ booking.date }}",
        """Hi {{ client.name }},

A reminder of your {{ package.name }} with {{ studio.name }}:
{{ booking.start }}
{{ booking.location }}

See you soon!
{{ studio.name }}""",
    ),
    _spec(
        "booking_rescheduled",
        "Session moved (to the client, with the updated calendar file)",
        "New time: {{ package.name }} on {{ booking.date }}",
        """Hi {{ client.name }},

Your {{ package.name }} with {{ studio.name }} has moved to:
{{ booking.start }} – {{ booking.end }}
{{ booking.location }}
(It was {{ booking.previous_start }}.)

The attached calendar file updates your calendar.
Your booking: {{ booking.manage_url }}

{{ studio.name }}""",
    ),
    _spec(
        "booking_cancelled",
        "Session cancelled (to the client, removes it from their calendar)",
        "Cancelled: {{ package.name }} on {{ booking.date }}",
        """Hi {{ client.name }},

Your {{ package.name }} with {{ studio.name }} on {{ booking.start }} is cancelled.
Reason: {{ booking.reason }}
{{ booking.deposit_outcome }}

The attached calendar file removes it from your calendar. Reply to this e-mail if you would like a new date.

{{ studio.name }}""",
    ),
    _spec(
        "booking_new",
        "New booking (to you)",
        "New booking: {{ package.name }} — {{ client.name }}, {{ booking.start }}",
        """{{ client.name }} <{{ client.email }}> booked {{ package.name }} for {{ booking.start }}.
Status: {{ booking.status }}
Notes: {{ booking.notes }}

Confirm or move it in your FocusFlow admin.""",
        audience="studio",
    ),
    _spec(
        "booking_client_rescheduled",
        "A client moved their booking (to you)",
        "Moved by {{ client.name }}: {{ package.name }} now {{ booking.start }}",
        """{{ client.name }} <{{ client.email }}> moved their {{ package.name }} on their booking page.
New time: {{ booking.start }} – {{ booking.end }}
It was: {{ booking.previous_start }}

They received the updated calendar file.""",
        audience="studio",
    ),
    _spec(
        "booking_client_cancelled",
        "A client cancelled their booking (to you)",
        "Cancelled by {{ client.name }}: {{ package.name }} on {{ booking.start }}",
        """{{ client.name }} <{{ client.email }}> cancelled their {{ package.name }} on {{ booking.start }}.
Reason: {{ booking.reason }}

{{ booking.deposit_outcome }}
The slot is free again; an unsigned contract and an unpaid invoice are void.""",
        audience="studio",
    ),
]
