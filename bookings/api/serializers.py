from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.api.serializers import InvoiceRefSerializer
from billing.invoicing import invoice_summary_for_booking
from frontend_api.renditions import PublicImageSerializer

from ..models import Booking, SessionType
from ..policy import Policy, policy_for


class AvailabilityQuerySerializer(serializers.Serializer):
    session_type = serializers.IntegerField()
    start = serializers.DateTimeField(input_formats=["iso-8601", "%Y-%m-%d"])
    end = serializers.DateTimeField(input_formats=["iso-8601", "%Y-%m-%d"])

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["The end must be after the start."]})
        if (attrs["end"] - attrs["start"]).days > 62:
            raise serializers.ValidationError({"end": ["Ask for at most 62 days at a time."]})
        return attrs


class RescheduleAvailabilityQuerySerializer(AvailabilityQuerySerializer):
    session_type = None  # the booking's own


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    local_start = serializers.CharField(help_text="The start in the studio's time zone, ISO 8601 with offset.")
    local_end = serializers.CharField()


class AvailabilitySerializer(serializers.Serializer):
    session_type = serializers.IntegerField()
    time_zone = serializers.CharField()
    slots = SlotSerializer(many=True)


class BookingRequestSerializer(serializers.Serializer):
    session_type = serializers.IntegerField()
    start = serializers.DateTimeField(help_text="ISO 8601; a time without an offset is read in the studio's zone.")
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BookingSerializer(serializers.ModelSerializer):
    session_type = serializers.SerializerMethodField()
    local_start = serializers.SerializerMethodField()
    contract = serializers.SerializerMethodField()
    invoice = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = ["id", "status", "start", "end", "local_start", "location", "session_type", "contract", "invoice"]

    def get_session_type(self, booking) -> dict:
        return {"id": booking.session_type_id, "name": booking.session_type.name}

    def get_local_start(self, booking) -> str:
        return booking.local_start.isoformat()

    def get_contract(self, booking) -> dict | None:
        contract = booking.contracts.order_by("-version").first()
        if contract is None:
            return None
        return {"token": contract.token, "status": contract.status}

    @extend_schema_field(InvoiceRefSerializer(allow_null=True))
    def get_invoice(self, booking) -> dict | None:
        """The invoice for the package (deposit first), once the booking of a priced package is made."""
        return invoice_summary_for_booking(booking)


class PolicySerializer(serializers.Serializer):
    """The session type's rescheduling and cancellation policy for clients (bookings.policy)."""

    changes_online = serializers.BooleanField(help_text="False: the client must contact the studio to change.")
    change_until_hours_before = serializers.IntegerField(
        help_text="Online changes close this many hours before the session (0 with `changes_online` false)."
    )
    reschedule_limit = serializers.IntegerField(help_text="How many times a client may move a booking online.")
    deposit_on_cancellation = serializers.ChoiceField(choices=["kept", "refunded"])
    full_refund_until_hours_before = serializers.IntegerField(
        allow_null=True,
        help_text="When the deposit is kept: cancelling at least this many hours before still refunds it.",
    )
    summary = serializers.CharField(help_text="The policy in sentences, as the client reads it.")


class PackageSerializer(serializers.ModelSerializer):
    """A session type the studio takes bookings for, as a booking page shows it. Money in minor units."""

    duration_minutes = serializers.SerializerMethodField()
    price = serializers.IntegerField(help_text="In minor units (pence, cents) of `currency`.")
    deposit = serializers.IntegerField(help_text="Paid on booking, in minor units; 0 when none is asked.")
    currency = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()

    class Meta:
        model = SessionType
        fields = [
            "id",
            "name",
            "description",
            "duration_minutes",
            "price",
            "deposit",
            "currency",
            "location",
            "auto_confirm",
            "cover_image",
            "policy",
        ]
        read_only_fields = fields

    def get_duration_minutes(self, session_type) -> int:
        return int(session_type.duration.total_seconds() // 60)

    def get_currency(self, session_type) -> str:
        return self.context["studio"].currency.upper()

    @extend_schema_field(PublicImageSerializer(allow_null=True))
    def get_cover_image(self, session_type) -> dict | None:
        image = session_type.cover_image
        # Only the studio's own image (the admin's chooser is scoped; this guards against any other path).
        if image is None or image.studio_id != session_type.studio_id:
            return None
        return PublicImageSerializer(image, context=self.context).data

    @extend_schema_field(PolicySerializer)
    def get_policy(self, session_type) -> dict:
        """What a client may change online after booking, and what happens to the deposit if they cancel."""
        return Policy.of(session_type).as_dict()


class ManagedBookingSerializer(BookingSerializer):
    """A client's booking as its manage page shows it: what they may still change, under which policy."""

    local_end = serializers.SerializerMethodField()
    time_zone = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()
    change_until = serializers.SerializerMethodField()
    can_cancel = serializers.SerializerMethodField()
    can_reschedule = serializers.SerializerMethodField()
    reschedules_left = serializers.SerializerMethodField()
    manage_url = serializers.CharField(read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [
            *BookingSerializer.Meta.fields,
            "local_end",
            "time_zone",
            "policy",
            "change_until",
            "can_cancel",
            "can_reschedule",
            "reschedules_left",
            "manage_url",
        ]

    def _now(self):
        return self.context.get("now") or timezone.now()

    def get_local_end(self, booking) -> str:
        return booking.local_end.isoformat()

    def get_time_zone(self, booking) -> str:
        return booking.studio.time_zone

    @extend_schema_field(PolicySerializer)
    def get_policy(self, booking) -> dict:
        return policy_for(booking).as_dict()

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_change_until(self, booking):
        deadline = policy_for(booking).change_deadline(booking)
        return deadline.isoformat().replace("+00:00", "Z") if deadline else None

    def get_can_cancel(self, booking) -> bool:
        return policy_for(booking).can_change(booking, self._now())

    def get_can_reschedule(self, booking) -> bool:
        policy = policy_for(booking)
        return policy.can_change(booking, self._now()) and policy.reschedules_left(booking) > 0

    def get_reschedules_left(self, booking) -> int:
        return policy_for(booking).reschedules_left(booking)


class RescheduleRequestSerializer(serializers.Serializer):
    start = serializers.DateTimeField(
        help_text="The new start, one of the free slots (`/api/client/availability/`); without an offset it is "
        "read in the studio's zone."
    )


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", help_text="Shown to the studio as text."
    )
