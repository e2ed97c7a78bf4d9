"""The no-JavaScript forms of the client's booking page (cms/booking_manage.py): reschedule and cancel by
the booking's manage link. They share the client API's throttle, so they live in the API layer; errors
are shown on the page, success goes back to it with a notice."""

from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST
from rest_framework.throttling import ScopedRateThrottle

from cms.booking_manage import render_manage
from cms.client_pages import client_link_missing, request_studio
from studios.errors import DomainError

from ..selfservice import booking_for_manage_token, client_cancel, client_reschedule

STATUS_FOR = {"not_found": 404, "conflict": 409, "limit": 403, "throttled": 429, "unavailable": 503}


class _ManageScope:
    throttle_scope = "bookings"  # the same budget as the client API's booking POSTs


def _page(booking) -> str:
    return f"/bookings/manage/{booking.manage_token}/"


def _guarded(request, token: str, action):
    booking = booking_for_manage_token(request_studio(request), token)
    if booking is None:
        return client_link_missing(request, "booking")
    throttle = ScopedRateThrottle()
    if not throttle.allow_request(request, _ManageScope()):  # reads only request.user and META
        response = render_manage(request, booking, error="Too many attempts; please wait a minute.", status=429)
        response["Retry-After"] = str(int(throttle.wait() or 60))
        return response
    try:
        return action(booking)
    except DomainError as exc:
        booking.refresh_from_db()
        return render_manage(request, booking, error=exc.message, status=STATUS_FOR.get(exc.kind, 400))


@require_POST
def booking_manage_reschedule(request, token: str):
    def move(booking):
        start = parse_datetime(request.POST.get("start", "") or "")
        if start is None or timezone.is_naive(start):
            return render_manage(request, booking, error="Choose one of the free times below.", status=400)
        client_reschedule(booking, start)
        return redirect(f"{_page(booking)}?done=rescheduled")

    return _guarded(request, token, move)


@require_POST
def booking_manage_cancel(request, token: str):
    def cancel(booking):
        reason = request.POST.get("reason", "")
        if request.POST.get("confirm") != "yes":
            return render_manage(
                request,
                booking,
                error="Tick the box to confirm that you want to cancel.",
                status=400,
                form={"reason": reason},
            )
        client_cancel(booking, reason)
        return redirect(f"{_page(booking)}?done=cancelled")

    return _guarded(request, token, cancel)
