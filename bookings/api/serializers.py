from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.api.serializers import InvoiceRefSerializer
from billing.invoicing import invoice_summary_for_booking
from frontend_api.renditions import PublicImageSerializer

from ..models import Booking, SessionType


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


class PackageSerializer(serializers.ModelSerializer):
    """A session type the studio takes bookings for, as a booking page shows it. Money in minor units."""

    duration_minutes = serializers.SerializerMethodField()
    price = serializers.IntegerField(help_text="In minor units (pence, cents) of `currency`.")
    deposit = serializers.IntegerField(help_text="Paid on booking, in minor units; 0 when none is asked.")
    currency = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()

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
