from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from frontend_api.idempotency import idempotent
from frontend_api.site import require_studio
from studios.client_address import client_ip

from ..inquiries import receive_inquiry
from .serializers import InquiryResponseSerializer, InquirySerializer

THANKS = "Thank you! We'll be in touch soon."


class InquiryView(APIView):
    """Lead form: creates or updates the client and an inquiry; the photographer gets an e-mail."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "inquiries"

    @extend_schema(request=InquirySerializer, responses={201: InquiryResponseSerializer})
    @idempotent
    def post(self, request):
        studio = require_studio(request)
        serializer = InquirySerializer(data=request.data, studio=studio)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # A filled honeypot is a bot: answer exactly as for a person (so it learns nothing), keep nothing.
        if data.pop("website"):
            return Response({"received": True, "message": THANKS}, status=status.HTTP_201_CREATED)
        receive_inquiry(
            studio,
            **data,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return Response({"received": True, "message": THANKS}, status=status.HTTP_201_CREATED)
