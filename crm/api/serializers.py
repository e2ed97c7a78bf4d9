from rest_framework import serializers

from bookings.models import SessionType


class InquirySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    message = serializers.CharField(max_length=5000)
    event_date = serializers.DateField(required=False, allow_null=True, default=None)
    session_type = serializers.PrimaryKeyRelatedField(
        queryset=SessionType.objects.none(), required=False, allow_null=True, default=None
    )
    source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    # Honeypot: hidden from people by the lead form, filled in by bots.
    website = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, studio=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this studio's active packages are valid choices.
        self.fields["session_type"].queryset = SessionType.objects.for_studio(studio).filter(is_active=True)


class InquiryResponseSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    message = serializers.CharField()
