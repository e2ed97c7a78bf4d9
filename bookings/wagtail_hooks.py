"""Registers bookings with Wagtail: the Bookings menu (bookings/admin/), the booking page of a new
studio, and the upcoming-sessions dashboard panel."""

from wagtail import hooks

from studios.charts import HOOK_NAME as BUSINESS_CHARTS_HOOK

from .admin.viewsets import BookingsGroup
from .business import booking_charts
from .dashboard import UpcomingSessionsPanel
from .emails import SPECS as EMAIL_SPECS
from .models import BookingPage


@hooks.register("studio_pages", order=30)
def booking_page(studio):
    return [BookingPage(title="Book a session", slug="book", show_in_menus=True)]


@hooks.register("register_admin_viewset")
def register_bookings():
    return BookingsGroup()


@hooks.register("register_studio_dashboard_panel")
def upcoming_sessions_panel(request, studio):
    return UpcomingSessionsPanel(studio, request)


@hooks.register(BUSINESS_CHARTS_HOOK)
def bookings_business_charts(studio):
    return booking_charts(studio)


@hooks.register("register_email_templates")
def booking_email_templates():
    return EMAIL_SPECS
