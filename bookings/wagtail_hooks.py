"""Bookings in the Wagtail admin: sessions (upcoming first, with actions that keep history),
session types, weekly hours and overrides, and the studio's calendar feed address."""

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton

from crm.models import Client
from studios.admin_viewsets import (
    ScopedIndexView,
    ScopedInspectView,
    StudioModelViewSet,
    StudioOwnedAdminForm,
    scope_queryset,
    user_owns,
    user_studio_ids,
)
from studios.models import Studio

from .models import AvailabilityOverride, AvailabilityRule, Booking, BookingPage, CalendarFeed, SessionType
from .scheduling import BookingError, book, cancel, complete, confirm, reschedule


@hooks.register("studio_created", order=30)
def add_booking_page(studio, home):
    home.add_child(instance=BookingPage(title="Book a session", slug="book", show_in_menus=True))


def own_session_types(request):
    if request is None:
        return SessionType.objects.none()
    return scope_queryset(SessionType.objects.all(), request.user)


class BookingFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices)
    start = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)
    session_type = django_filters.ModelChoiceFilter(queryset=own_session_types, label="Session type")

    class Meta:
        model = Booking
        fields = ["status", "start", "session_type"]


class LocalStartColumn(Column):
    def get_value(self, instance):
        return f"{instance.local_start:%a %d %b %Y %H:%M %Z}"


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
        return [book_button, *super().header_buttons]

    def order_queryset(self, queryset):
        if self.request.GET.get("ordering"):
            return super().order_queryset(queryset)
        return sorted_upcoming_first(queryset)


def sorted_upcoming_first(queryset):
    return queryset.order_by("is_past", Case(When(is_past=0, then=F("start"))), F("start").desc())


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(
        label="New start (studio time)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(required=False, max_length=300)


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
                for name in ("confirm", "cancel", "complete", "reschedule", "issue_contract")
            },
        )
        return context


class BookingAdminForm(StudioOwnedAdminForm):
    pass


class PhotographerBookingForm(forms.Form):
    """A photographer books a session for a client: the same checks as the API, bar notice and horizon."""

    client = forms.ModelChoiceField(queryset=Client.objects.none())
    session_type = forms.ModelChoiceField(queryset=SessionType.objects.none())
    start = forms.DateTimeField(
        label="Start (studio time)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm_now = forms.BooleanField(required=False, initial=True, label="Confirm now (e-mails the client an .ics)")

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.for_studio(studio)
        self.fields["session_type"].queryset = SessionType.objects.for_studio(studio).filter(is_active=True)


class BookingViewSet(StudioModelViewSet):
    model = Booking
    icon = "date"
    menu_label = "Sessions"
    # Bookings are made by clients (or moved/cancelled below), so the history stays complete.
    allowed_actions = ("view", "change")
    index_view_class = BookingIndexView
    inspect_view_class = BookingInspectView
    inspect_view_enabled = True
    list_display = [
        LocalStartColumn("start", label="When", sort_key="start"),
        "client",
        "session_type",
        "status",
        Column("contract_status", label="Contract"),
    ]
    list_export = ["start", "end", "client", "session_type", "get_status_display", "location", "contract_status"]
    search_fields = ["client__name", "client__email", "notes", "location"]
    filterset_class = BookingFilterSet
    edit_handler = ObjectList([FieldPanel("location"), FieldPanel("notes")], base_form_class=BookingAdminForm)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "<int:pk>/confirm/",
                self.action(lambda b, r: confirm(b, by=r.user), "Booking confirmed."),
                name="confirm",
            ),
            path(
                "<int:pk>/cancel/",
                self.action(lambda b, r: cancel(b, by=r.user, reason=r.POST.get("reason", "")), "Booking cancelled."),
                name="cancel",
            ),
            path(
                "<int:pk>/complete/",
                self.action(lambda b, r: complete(b, by=r.user), "Session completed."),
                name="complete",
            ),
            path("<int:pk>/reschedule/", self.action(do_reschedule, "Booking moved."), name="reschedule"),
            path(
                "<int:pk>/issue-contract/",
                self.action(do_issue_contract, "Contract issued and sent."),
                name="issue_contract",
            ),
            path("book/", self.book_view, name="book"),
        ]

    @property
    def book_view(self):
        def view(request):
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
                            by=request.user, confirm_now=data["confirm_now"],
                        )  # fmt: skip
                    except BookingError as exc:
                        form.add_error("start", exc.message)
                    else:
                        messages.success(request, "Session booked.")
                        return redirect("bookings:inspect", booking.pk)
                return TemplateResponse(request, "bookings/book.html", {"form": form})

        return view

    def action(self, operation, success: str):
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
    reschedule(booking, form.cleaned_data["start"], by=request.user, note=form.cleaned_data["note"])


def do_issue_contract(booking, request):
    from contracts.issuing import issue_contract

    template = booking.session_type.contract_template
    if template is None:
        raise ValueError("Choose a contract template for this session type first.")
    issue_contract(booking, template, user=request.user)


class SessionTypeAdminForm(StudioOwnedAdminForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("deposit_percent", 0) > 100:
            self.add_error("deposit_percent", "A percentage is at most 100.")
        return cleaned


class SessionTypeViewSet(StudioModelViewSet):
    model = SessionType
    icon = "tag"
    menu_label = "Session types"
    list_display = ["name", "duration", "price", "auto_confirm", "is_active"]
    search_fields = ["name", "description"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("duration"), FieldPanel("slot_interval")]),
            FieldRowPanel([FieldPanel("price"), FieldPanel("deposit_amount"), FieldPanel("deposit_percent")]),
            FieldRowPanel([FieldPanel("buffer_before"), FieldPanel("buffer_after")]),
            FieldRowPanel([FieldPanel("minimum_notice"), FieldPanel("booking_horizon"), FieldPanel("max_per_day")]),
            FieldPanel("location"),
            FieldPanel("contract_template"),
            MultiFieldPanel([FieldPanel("auto_confirm"), FieldPanel("is_active")], heading="Booking"),
        ],
        base_form_class=SessionTypeAdminForm,
    )


class AvailabilityRuleViewSet(StudioModelViewSet):
    model = AvailabilityRule
    icon = "time"
    menu_label = "Weekly hours"
    list_display = ["__str__", "weekday", "start_time", "end_time"]
    edit_handler = ObjectList(
        [FieldPanel("weekday"), FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")])],
        base_form_class=StudioOwnedAdminForm,
    )


class OverrideAdminForm(StudioOwnedAdminForm):
    pass


class AvailabilityOverrideViewSet(StudioModelViewSet):
    model = AvailabilityOverride
    icon = "cross"
    menu_label = "Days off & extra hours"
    list_display = ["__str__", "date", "kind", "note"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("date"), FieldPanel("kind")]),
            FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
            FieldPanel("note"),
        ],
        base_form_class=OverrideAdminForm,
    )


class CalendarFeedViewSet(StudioModelViewSet):
    """Shows the secret feed address; creating one is a click (the token is generated)."""

    model = CalendarFeed
    icon = "calendar-alt"
    menu_label = "Calendar feed"
    allowed_actions = ("view", "add", "delete")
    list_display = ["__str__", Column("feed_url", label="Subscribe in your calendar app", accessor="feed_url")]
    form_fields: list[str] = []

    def get_form_class(self, for_update=False):
        return forms.modelform_factory(CalendarFeed, form=StudioOwnedAdminForm, fields=[])


class BookingsGroup(ViewSetGroup):
    menu_label = "Bookings"
    menu_icon = "date"
    menu_order = 220
    items = (
        BookingViewSet("bookings"),
        SessionTypeViewSet("session_types"),
        AvailabilityRuleViewSet("availability_rules"),
        AvailabilityOverrideViewSet("availability_overrides"),
        CalendarFeedViewSet("calendar_feeds"),
    )


@hooks.register("register_admin_viewset")
def register_bookings():
    return BookingsGroup()


@hooks.register("register_studio_dashboard_panel")
def upcoming_sessions_panel(request, studio):
    from .dashboard import UpcomingSessionsPanel

    return UpcomingSessionsPanel(studio, request)
