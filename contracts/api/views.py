from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from crm.api.views import require_studio
from frontend_api.errors import ApiError

from ..models import Contract, contract_for_token
from ..pdf import render_contract_pdf
from ..signing import SigningError, decode_signature_png, mark_viewed, sign_as_client
from .serializers import ContractSerializer, SignSerializer


def contract_for(request, token: str) -> Contract:
    """The resolved studio's contract with this token; any other studio's is 404."""
    contract = contract_for_token(require_studio(request), token)
    if contract is None:
        raise ApiError("not_found", "This contract link is not valid. Ask the studio for a new one.", 404)
    return contract


def api_error(exc: SigningError) -> ApiError:
    fields = {exc.field: [exc.message]} if exc.field else None
    return ApiError(exc.code, exc.message, exc.status, fields=fields)


class ContractView(APIView):
    """The client reads their contract; the first read marks it 'viewed'."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contracts"

    @extend_schema(responses={200: ContractSerializer})
    def get(self, request, token):
        contract = contract_for(request, token)
        try:
            mark_viewed(contract)
        except SigningError as exc:
            raise api_error(exc) from exc
        return Response(ContractSerializer(contract).data)


class ContractSignView(APIView):
    """The client signs: typed name, drawn signature (PNG data URL), consent, and the hash they read."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contracts"

    @extend_schema(request=SignSerializer, responses={200: ContractSerializer})
    def post(self, request, token):
        contract = contract_for(request, token)
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            png = decode_signature_png(data["signature_image"])
            sign_as_client(
                contract,
                typed_name=data["typed_name"],
                signature_png=png,
                consent=data["consent"],
                signed_sha256=data["sha256"],
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except SigningError as exc:
            raise api_error(exc) from exc
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
