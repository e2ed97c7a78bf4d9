"""Forms of the bookings admin: booking for a client, rescheduling, session types and overrides."""

from django import forms

from crm.models import Client
from studios.admin_viewsets import StudioOwnedAdminForm
from studios.models import studio_currency
from studios.money import use_money_fields

from ..models import SessionType


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(
        label="New start (studio time)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(required=False, max_length=300)
    outside_hours = forms.BooleanField(
        required=False, label="Outside the studio's hours", help_text="Allow a time outside the weekly hours."
    )


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
    outside_hours = forms.BooleanField(
        required=False,
        label="Book outside the studio's hours",
        help_text="For a session outside your weekly hours (a Sunday wedding). Other bookings still can't overlap.",
    )

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.for_studio(studio)
        self.fields["session_type"].queryset = SessionType.objects.for_studio(studio).filter(is_active=True)


class SessionTypeAdminForm(StudioOwnedAdminForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Prices are typed in pounds (or the studio's currency), stored in minor units.
        use_money_fields(self, studio_currency(self.studio_id), money=("price", "deposit_amount"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("deposit_percent", 0) > 100:
            self.add_error("deposit_percent", "A percentage is at most 100.")
        return cleaned


class OverrideAdminForm(StudioOwnedAdminForm):
    pass
