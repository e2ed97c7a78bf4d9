from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from frontend_api.errors import ApiError
from frontend_api.idempotency import idempotent
from frontend_api.site import require_studio
from studios.client_address import client_ip

from ..models import Contract, contract_for_token
from ..pdf import render_contract_pdf
from ..signing import decode_signature_png, mark_viewed, sign_as_client
from .serializers import ContractSerializer, SignSerializer


def contract_for(request, token: str) -> Contract:
    """The resolved studio's contract with this token; any other studio's is 404."""
    contract = contract_for_token(require_studio(request), token)
    if contract is None:
        raise ApiError("not_found", "This contract link is not valid. Ask the studio for a new one.", 404)
    return contract


class ContractView(APIView):
    """The client reads their contract; the first read marks it 'viewed'."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contracts"

    @extend_schema(responses={200: ContractSerializer})
    def get(self, request, token):
        contract = contract_for(request, token)
        mark_viewed(contract)  # a SigningError answers in the one error shape (frontend_api.errors)
        return Response(ContractSerializer(contract).data)


class ContractSignView(APIView):
    """The client signs: typed name, drawn signature (PNG data URL), consent, and the hash they read."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contracts"

    @extend_schema(request=SignSerializer, responses={200: ContractSerializer})
    @idempotent
    def post(self, request, token):
        contract = contract_for(request, token)
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sign_as_client(
            contract,
            typed_name=data["typed_name"],
            signature_png=decode_signature_png(data["signature_image"]),
            consent=data["consent"],
            signed_sha256=data["sha256"],
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        contract = contract_for(request, token)
        return Response(ContractSerializer(contract).data, status=status.HTTP_200_OK)


class ContractPdfView(APIView):
    """The contract as a PDF with its audit trail so far: the stored copy once both parties have signed,
    else made now (an unsigned copy to read offline, or one awaiting the studio's countersignature)."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contracts"

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, token):
        contract = contract_for(request, token)
        if contract.pdf:
            with contract.pdf.open("rb") as handle:
                content = handle.read()
        else:
            content = render_contract_pdf(contract)
        response = HttpResponse(content, content_type="application/pdf")
        filename = f"{contract.title} v{contract.version}.pdf".encode("ascii", "ignore").decode().replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
