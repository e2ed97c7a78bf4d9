"""The client's proposal by its secret link: read it, accept it (booking, contract and invoice in one
transaction), decline it. Signing and paying are the contract's and the invoice's own endpoints."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from billing.invoicing import invoice_summary_for_booking
from frontend_api.errors import ApiError
from frontend_api.idempotency import idempotent
from frontend_api.site import require_studio

from ..accepting import accept_proposal, current_contract, decline_proposal, mark_viewed, next_step
from ..models import Proposal, proposal_for_token
from .serializers import AcceptSerializer, ProposalSerializer


def proposal_for(request, token: str) -> Proposal:
    """The resolved studio's proposal with this token; any other studio's is 404."""
    proposal = proposal_for_token(require_studio(request), token)
    if proposal is None:
        raise ApiError("not_found", "This proposal link is not valid. Ask the studio for a new one.", 404)
    return proposal


def proposal_data(proposal: Proposal) -> dict:
    contract = current_contract(proposal)
    invoice = invoice_summary_for_booking(proposal.booking) if proposal.booking_id else None
    context = {"contract": contract, "invoice": invoice, "next_step": next_step(proposal, contract, invoice)}
    return ProposalSerializer(proposal, context=context).data


class ProposalView(APIView):
    """The client reads the proposal; the first read marks it 'viewed'."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contracts"

    @extend_schema(summary="Read a proposal", responses={200: ProposalSerializer}, tags=["client"])
    def get(self, request, token):
        return Response(proposal_data(mark_viewed(proposal_for(request, token))))


class ProposalAcceptView(APIView):
    """Accept: the session is booked (at the proposed time or the `start` given), the contract issued and the
    invoice sent, all at once; then sign and pay. Accepting again answers the accepted proposal."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contracts"

    @extend_schema(
        summary="Accept a proposal", request=AcceptSerializer, responses={200: ProposalSerializer}, tags=["client"]
    )
    @idempotent
    def post(self, request, token):
        proposal = proposal_for(request, token)
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = accept_proposal(proposal, start=serializer.validated_data.get("start"))
        return Response(proposal_data(proposal_for(request, token)))


class ProposalDeclineView(APIView):
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contracts"

    @extend_schema(summary="Decline a proposal", request=None, responses={200: ProposalSerializer}, tags=["client"])
    def post(self, request, token):
        decline_proposal(proposal_for(request, token))
        return Response(proposal_data(proposal_for(request, token)))
