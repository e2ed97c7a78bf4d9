from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from frontend_api.errors import ApiError
from frontend_api.idempotency import idempotent
from frontend_api.site import require_studio

from ..availability import free_slots
from ..calendar import studio_feed
from ..models import CalendarFeed, SessionType
from ..scheduling import book
from ..selfservice import booking_for_manage_token, client_cancel, client_reschedule, reschedule_slots
from .serializers import (
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BookingRequestSerializer,
    BookingSerializer,
    CancelRequestSerializer,
    ManagedBookingSerializer,
    PackageSerializer,
    RescheduleAvailabilityQuerySerializer,
    RescheduleRequestSerializer,
)

# Public and the same for every visitor: a minute of caching spares the database a busy booking page.
PUBLIC_CACHE = "public, max-age=60"


def bookable_session_type(studio, pk) -> SessionType:
    session_type = SessionType.objects.for_studio(studio).filter(pk=pk, is_active=True).first()
    if session_type is None:
        raise ApiError("not_found", "This studio has no such session type.", status.HTTP_404_NOT_FOUND)
    return session_type


def active_packages(studio):
    return (
        SessionType.objects.for_studio(studio)
        .filter(is_active=True)
        .select_related("cover_image")
        .prefetch_related("cover_image__renditions")
        .order_by("price", "name")
    )


class PackageListView(APIView):
    """The studio's bookable packages (its active session types), cheapest first: what a booking page lists."""

    authentication_classes: list = []

    @extend_schema(
        summary="List the studio's bookable packages",
        responses={200: PackageSerializer(many=True)},
        tags=["client"],
    )
    def get(self, request):
        response = Response(package_list(request, require_studio(request)))
        response["Cache-Control"] = PUBLIC_CACHE
        return response


def package_list(request, studio) -> list:
    """The packages' JSON (also embedded in the booking page's first state: frontend_api/templatetags)."""
    return PackageSerializer(active_packages(studio), many=True, context={"request": request, "studio": studio}).data


class PackageDetailView(APIView):
    """One bookable package; 404 for an inactive one or another studio's."""

    authentication_classes: list = []

    @extend_schema(summary="Get one bookable package", responses={200: PackageSerializer}, tags=["client"])
    def get(self, request, pk: int):
        studio = require_studio(request)
        package = active_packages(studio).filter(pk=pk).first()
        if package is None:
            raise ApiError("not_found", "This studio has no such package.", status.HTTP_404_NOT_FOUND)
        response = Response(PackageSerializer(package, context={"request": request, "studio": studio}).data)
        response["Cache-Control"] = PUBLIC_CACHE
        return response


class AvailabilityView(APIView):
    """Free slots of a session type between two dates (UTC, plus the studio's local time)."""

    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("session_type", int, required=True),
            OpenApiParameter("start", str, required=True, description="Date or ISO datetime (studio's zone if naive)"),
            OpenApiParameter("end", str, required=True),
        ],
        responses={200: AvailabilitySerializer},
    )
    def get(self, request):
        studio = require_studio(request)
        with timezone.override(studio.tz):  # naive dates are the studio's days
            query = AvailabilityQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
        session_type = bookable_session_type(studio, query.validated_data["session_type"])
        slots = free_slots(studio, session_type, query.validated_data["start"], query.validated_data["end"])
        return Response(slots_data(studio, session_type, slots))


class BookingCreateView(APIView):
    """A client requests a slot; it is confirmed at once when the session type auto-confirms."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "bookings"

    @extend_schema(request=BookingRequestSerializer, responses={201: BookingSerializer})
    @idempotent
    def post(self, request):
        studio = require_studio(request)
        with timezone.override(studio.tz):
            serializer = BookingRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        session_type = bookable_session_type(studio, data.pop("session_type"))
        booking = book(studio, session_type, data.pop("start"), **data)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


def calendar_feed(request, token: str):
    """The studio's secret iCal feed: the token must be the resolved studio's."""
    studio = getattr(request, "studio", None)
    if studio is None:
        raise Http404
    feed = get_object_or_404(CalendarFeed, token=token, studio=studio)
    response = HttpResponse(studio_feed(feed.studio), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- The client's own booking, by its secret manage link (bookings.selfservice) -------------------------


def managed_booking(request, token: str):
    booking = booking_for_manage_token(require_studio(request), token)
    if booking is None:
        raise ApiError("not_found", "This booking link is not valid on this site.", status.HTTP_404_NOT_FOUND)
    return booking


def _managed(booking, request) -> Response:
    return Response(ManagedBookingSerializer(booking, context={"request": request}).data)


class ManagedBookingView(APIView):
    """The booking behind a client's manage link: its time, policy, and whether it may still be changed."""

    authentication_classes: list = []

    @extend_schema(summary="Get a booking by its manage link", responses={200: ManagedBookingSerializer})
    def get(self, request, token: str):
        return _managed(managed_booking(request, token), request)


class ManagedBookingRescheduleView(APIView):
    """Move the booking to another free slot, within the policy's window and reschedule limit. Errors:
    409 `too_late_to_change`, 403 `reschedule_limit_reached`, 409 `slot_taken`, 400 `outside_hours`/`too_soon`."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "bookings"

    @extend_schema(
        summary="Reschedule a booking by its manage link",
        request=RescheduleRequestSerializer,
        responses={200: ManagedBookingSerializer},
    )
    def post(self, request, token: str):
        booking = managed_booking(request, token)
        with timezone.override(booking.studio.tz):
            serializer = RescheduleRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
        return _managed(client_reschedule(booking, serializer.validated_data["start"]), request)


def slots_data(studio, session_type, slots) -> dict:
    tz = studio.tz
    return {
        "session_type": session_type.pk,
        "time_zone": studio.time_zone,
        "slots": [
            {
                "start": slot.start.isoformat().replace("+00:00", "Z"),
                "end": slot.end.isoformat().replace("+00:00", "Z"),
                "local_start": slot.start.astimezone(tz).isoformat(),
                "local_end": slot.end.astimezone(tz).isoformat(),
            }
            for slot in slots
        ],
    }


class ManagedBookingAvailabilityView(APIView):
    """Free slots to move the booking to, between two dates: as `/api/client/availability/` for the booking's
    session type, except that the booking itself does not block them (so it can move by less than its length,
    overlapping its old time) and its current time is left out. Only this link's booking is left out. Errors:
    409 `too_late_to_change`, 403 `reschedule_limit_reached` (the reason in `message`)."""

    authentication_classes: list = []

    @extend_schema(
        summary="Free slots to reschedule a booking to, by its manage link",
        parameters=[
            OpenApiParameter("start", str, required=True, description="Date or ISO datetime (studio's zone if naive)"),
            OpenApiParameter("end", str, required=True),
        ],
        responses={200: AvailabilitySerializer},
    )
    def get(self, request, token: str):
        booking = managed_booking(request, token)
        studio = booking.studio
        with timezone.override(studio.tz):  # naive dates are the studio's days
            query = RescheduleAvailabilityQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
        slots = reschedule_slots(booking, query.validated_data["start"], query.validated_data["end"])
        return Response(slots_data(studio, booking.session_type, slots))


class ManagedBookingCancelView(APIView):
    """Cancel the booking within the policy's window; the deposit is refunded or kept as the policy says
    (see `policy`). Error: 409 `too_late_to_change`."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "bookings"

    @extend_schema(
        summary="Cancel a booking by its manage link",
        request=CancelRequestSerializer,
        responses={200: ManagedBookingSerializer},
    )
    def post(self, request, token: str):
        booking = managed_booking(request, token)
        serializer = CancelRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _managed(client_cancel(booking, serializer.validated_data["reason"]), request)
