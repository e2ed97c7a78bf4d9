"""The Bookings menu: sessions (made by clients or the book view, then moved or cancelled by actions
that keep their history), session types, weekly hours and overrides, and the calendar feed."""

from django import forms
from django.urls import path
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup

from studios.admin_viewsets import StudioModelViewSet, StudioOwnedAdminForm
from studios.formatting import format_money

from ..models import AvailabilityOverride, AvailabilityRule, Booking, CalendarFeed, SessionType
from ..scheduling import cancel, complete, confirm
from .actions import BookingAction, booking_actions
from .calendar import calendar_view, move_view
from .filters import BookingFilterSet
from .forms import BookingAdminForm, OverrideAdminForm, SessionTypeAdminForm
from .views import BookingIndexView, BookingInspectView, book_view, booking_action_view, do_reschedule


class LocalStartColumn(TitleColumn):
    """The session's time in the studio's zone, linking to the booking's page."""

    def get_value(self, instance):
        return f"{instance.local_start:%a %d %b %Y %H:%M %Z}"


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
        LocalStartColumn("start", label="When", sort_key="start", url_name="bookings:inspect"),
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
                booking_action_view(lambda b, r: confirm(b, by=r.user), "Booking confirmed."),
                name="confirm",
            ),
            path(
                "<int:pk>/cancel/",
                booking_action_view(
                    lambda b, r: cancel(b, by=r.user, reason=r.POST.get("reason", "")), "Booking cancelled."
                ),
                name="cancel",
            ),
            path(
                "<int:pk>/complete/",
                booking_action_view(lambda b, r: complete(b, by=r.user), "Session completed."),
                name="complete",
            ),
            path("<int:pk>/reschedule/", booking_action_view(do_reschedule, "Booking moved."), name="reschedule"),
            *(self.action_path(action) for action in booking_actions()),
            path("book/", book_view, name="book"),
            path("calendar/", calendar_view, name="calendar"),
            path("calendar/move/", move_view, name="calendar_move"),
        ]

    @staticmethod
    def action_path(action: BookingAction):
        """The URL of an action another app adds (.actions), checked and reported like the ones above."""
        view = booking_action_view(action.operation, action.success)
        return path(f"<int:pk>/{action.path}/", view, name=action.name)


class SessionTypeViewSet(StudioModelViewSet):
    model = SessionType
    icon = "tag"
    menu_label = "Session types"
    list_display = [
        "name",
        "duration",
        Column("price", label="Price", accessor=lambda t: format_money(t.price, t.studio.currency)),
        "auto_confirm",
        "is_active",
    ]
    search_fields = ["name", "description"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(queryset=SessionType.objects.select_related("studio"), **kwargs)

    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("duration"), FieldPanel("slot_interval")]),
            FieldRowPanel([FieldPanel("price"), FieldPanel("deposit_amount"), FieldPanel("deposit_percent")]),
            FieldRowPanel([FieldPanel("buffer_before"), FieldPanel("buffer_after")]),
            FieldRowPanel([FieldPanel("minimum_notice"), FieldPanel("booking_horizon"), FieldPanel("max_per_day")]),
            FieldPanel("location"),
            FieldPanel("cover_image"),
            FieldPanel("contract_template"),
            MultiFieldPanel([FieldPanel("auto_confirm"), FieldPanel("is_active")], heading="Booking"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("client_change_hours"), FieldPanel("reschedule_limit")]),
                    FieldRowPanel([FieldPanel("cancellation_deposit"), FieldPanel("full_refund_hours")]),
                ],
                heading="Rescheduling and cancellation by the client",
            ),
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
