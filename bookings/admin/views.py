"""Views of the sessions screens: the listing (upcoming first), a session's page with its actions,
and booking a session for a client."""

from django.contrib import messages
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from wagtail.admin.widgets.button import HeaderButton

from studios.admin_viewsets import ScopedIndexView, ScopedInspectView, user_owns, user_studio_ids
from studios.models import Studio

from ..models import Booking
from ..scheduling import BookingError, book, reschedule
from .actions import BookingButton, booking_actions
from .forms import PhotographerBookingForm, RescheduleForm


class BookingIndexView(ScopedIndexView):
    def get_base_queryset(self):
        # Upcoming sessions first (soonest at the top), then past ones (most recent first).
        now = timezone.now()
        return (
            super()
            .get_base_queryset()
            .select_related("client", "session_type", "studio")
            .prefetch_related("contracts")
            .annotate(is_past=Case(When(start__lt=now, then=Value(1)), default=Value(0), output_field=IntegerField()))
        )

    @cached_property
    def header_buttons(self):
        book_button = HeaderButton("Book a session", url=reverse("bookings:book"), icon_name="plus")
        calendar_button = HeaderButton("Calendar", url=reverse("bookings:calendar"), icon_name="date")
        return [book_button, calendar_button, *super().header_buttons]

    def order_queryset(self, queryset):
        if self.request.GET.get("ordering"):
            return super().order_queryset(queryset)
        return sorted_upcoming_first(queryset)


def sorted_upcoming_first(queryset):
    return queryset.order_by("is_past", Case(When(is_past=0, then=F("start"))), F("start").desc())


class BookingInspectView(ScopedInspectView):
    template_name = "bookings/booking_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = self.object
        context.update(
            booking=booking,
            events=booking.events.select_related("by"),
            contracts=booking.contracts.order_by("-version"),
            reschedule_form=RescheduleForm(),
            action_urls={
                name: reverse(f"bookings:{name}", args=[booking.pk])
                for name in ("confirm", "cancel", "complete", "reschedule")
            },
            extra_buttons=self.extra_buttons(booking),
        )
        return context

    def extra_buttons(self, booking) -> list[BookingButton]:
        """The buttons other apps add (see .actions)."""
        buttons = []
        for action in booking_actions():
            label = action.label(booking)
            if label:
                url = reverse(f"bookings:{action.name}", args=[booking.pk])
                buttons.append(BookingButton(label, url, action.classname))
        return buttons


def book_view(request):
    studio_ids = user_studio_ids(request.user)
    if not studio_ids:
        raise Http404
    studio = Studio.objects.get(pk=studio_ids[0])
    with timezone.override(studio.tz):
        form = PhotographerBookingForm(request.POST or None, studio=studio)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                booking = book(
                    studio, data["session_type"], data["start"], client=data["client"], notes=data["notes"],
                    by=request.user, confirm_now=data["confirm_now"], outside_hours=data["outside_hours"],
                )  # fmt: skip
            except BookingError as exc:
                form.add_error("start", exc.message)
            else:
                messages.success(request, "Session booked.")
                return redirect("bookings:inspect", booking.pk)
        return TemplateResponse(request, "bookings/book.html", {"form": form})


def booking_action_view(operation, success: str):
    """A POST on one of the photographer's bookings: does `operation`, says how it went, back to the booking."""

    @require_POST
    def view(request, pk):
        booking = get_object_or_404(Booking.objects.select_related("studio", "client", "session_type"), pk=pk)
        if not user_owns(request.user, booking):
            raise Http404
        try:
            operation(booking, request)
        except (BookingError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, success)
        return redirect("bookings:inspect", pk)

    return view


def do_reschedule(booking, request):
    with timezone.override(booking.studio.tz):
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            raise ValueError("Give the new date and time.")
    data = form.cleaned_data
    reschedule(booking, data["start"], by=request.user, note=data["note"], outside_hours=data["outside_hours"])
