"""The client portal in the API layer (issue 16): the sign-in form's page (`/portal/`, which shares the API's
throttles), the client API with the portal token (`/api/client/portal/…`, for headless sites) and the studio
API's portal invitation.

Asking for a sign-in link is throttled per address (whoever asks, `portal_link_address`) and per client IP
(`portal_link_ip`); the answer is the same whether or not the address is a client's. The portal token is
`Authorization: Bearer <token>` from `POST /api/client/portal/session/` (crm.portal)."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_protect
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from cms.client_pages import request_studio
from cms.portal import open_gallery, overview
from cms.portal_pages import SENT, private, render_signin, signed_in_session
from frontend_api.errors import ApiError, api_error
from frontend_api.site import require_studio
from studios.client_address import client_ip
from studios.errors import INVALID, THROTTLED, DomainError

from .. import portal
from ..models import PortalSession

# --- Throttles -----------------------------------------------------------------------------------------------


class PortalLinkIpThrottle(SimpleRateThrottle):
    """Sign-in links asked for from one client address (DRF's `get_ident`: NUM_PROXIES, as every throttle)."""

    scope = "portal_link_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PortalLinkAddressThrottle(SimpleRateThrottle):
    """Sign-in links asked for one e-mail address at one studio, from anywhere (a known and an unknown address
    are counted alike: the 429 tells nothing either)."""

    scope = "portal_link_address"

    def __init__(self, studio, email: str):
        super().__init__()
        self.ident = hashlib.sha256(f"{studio.pk}:{email.strip().lower()}".encode()).hexdigest()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def too_many_links(wait: float | None) -> DomainError:
    seconds = max(1, int(wait or 60))
    minutes = max(1, -(-seconds // 60))
    return DomainError(
        "too_many_requests",
        f"Too many sign-in links were asked for. Please try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        THROTTLED,
        retry_after=seconds,
    )


def check_link_throttles(request, studio, email: str) -> None:
    """Count one request for a link against both budgets; raise `too_many_requests` (429) past either."""
    for throttle in (PortalLinkIpThrottle(), PortalLinkAddressThrottle(studio, email)):
        if not throttle.allow_request(request, None):  # reads only the cache and request.META
            raise too_many_links(throttle.wait())


def clean_email(value) -> str:
    email = portal.normalise_email(str(value or ""))
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            "invalid", "Enter your e-mail address.", INVALID, fields={"email": ["Enter a valid e-mail address."]}
        ) from None
    return email


def sent_message(studio, email: str) -> str:
    return SENT.format(email=email, studio=studio.name, minutes=settings.PORTAL_LINK_MINUTES)


# --- The sign-in page ----------------------------------------------------------------------------------------


@private
@csrf_protect
def portal_signin(request):
    """`/portal/`: the e-mail form (GET), and asking for a link (POST). Every accepted address gets the same
    "check your inbox" page; a signed-in client goes straight to their portal."""
    studio = request_studio(request)
    if request.method not in ("GET", "HEAD", "POST"):
        return render_signin(request, status=405)
    if request.method != "POST":
        if signed_in_session(request) is not None:
            return redirect("/portal/home/")
        return render_signin(request)
    raw = request.POST.get("email", "")[:320]
    try:
        email = clean_email(raw)
        check_link_throttles(request, studio, email)
    except DomainError as exc:
        response = render_signin(
            request, email=raw.strip(), problem=exc.message, status=429 if exc.kind == THROTTLED else 400
        )
        if exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response
    portal.request_link(studio, email)
    return render_signin(request, email=email, sent=True)


# --- The client API with the portal token ---------------------------------------------------------------------


class PortalTokenAuthentication(BaseAuthentication):
    """request.auth = the PortalSession the bearer token stands for on this studio's host."""

    def authenticate(self, request):
        header = get_authorization_header(request).decode(errors="replace")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            session = portal.session_for_token(getattr(request, "studio", None), token.strip())
        except DomainError as exc:
            raise api_error(exc) from exc  # DRF expects an APIException from authenticate()
        return (None, session)

    def authenticate_header(self, request):
        return 'Bearer realm="client portal"'


class PortalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "crm.api.portal.PortalTokenAuthentication"
    name = "portalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token from POST /api/client/portal/session/, as `Authorization: Bearer <token>`.",
        }


class PortalAPIView(APIView):
    authentication_classes = [PortalTokenAuthentication]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "portal"

    def initial(self, request, *args, **kwargs):
        # A method the endpoint does not have is 405 whoever asks: DRF would check the token first and answer a
        # stale or foreign one with 401, telling a client to sign in for something no sign-in allows.
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def session(self) -> PortalSession:
        session = self.request.auth
        if not isinstance(session, PortalSession):
            raise ApiError(
                "portal_token_required",
                "Sign in to the portal first: POST /api/client/portal/session/ with the e-mailed token.",
                status.HTTP_401_UNAUTHORIZED,
            )
        return session


class LinkRequestSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=320, help_text="The client's e-mail address.")


class LinkRequestedSerializer(serializers.Serializer):
    message = serializers.CharField()


class SessionRequestSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The token at the end of the e-mailed sign-in link.")


class ClientDetailsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(read_only=True)
    phone = serializers.CharField(max_length=40, allow_blank=True)
    address = serializers.CharField(max_length=500, allow_blank=True)


class SessionSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`; shown once.")
    expires_at = serializers.DateTimeField()
    client = ClientDetailsSerializer()


class BookingItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()
    location = serializers.CharField()
    manage_url = serializers.CharField(allow_null=True, help_text="The booking's self-service page, if any.")
    manage_token = serializers.CharField(help_text="For /api/client/bookings/manage/{token}/ (reschedule, cancel).")


class BookingListsSerializer(serializers.Serializer):
    upcoming = BookingItemSerializer(many=True)
    past = BookingItemSerializer(many=True)


class ContractItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    can_sign = serializers.BooleanField()
    token = serializers.CharField(help_text="For /api/client/contracts/{token}/ (read, sign, pdf).")
    url = serializers.CharField(help_text="The contract page on the studio's host.")
    pdf_url = serializers.CharField(allow_null=True)


class ReceiptSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units.")
    paid_at = serializers.DateTimeField()
    refunded = serializers.IntegerField(help_text="Minor units refunded of this payment.")


class InvoiceItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    currency = serializers.CharField()
    total = serializers.IntegerField(help_text="Minor units.")
    amount_due = serializers.IntegerField(help_text="Minor units; 0 unless open.")
    due_date = serializers.DateField()
    can_pay = serializers.BooleanField()
    token = serializers.CharField(help_text="For /api/client/invoices/{token}/ (read, checkout).")
    url = serializers.CharField(help_text="The invoice page (pay there, or POST its checkout endpoint).")
    receipts = ReceiptSerializer(many=True)


class GalleryItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    expired = serializers.BooleanField()


class QuestionnaireItemSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Its title as sent.")
    token = serializers.CharField(help_text="For /api/client/questionnaires/{token}/ (read, answer).")
    url = serializers.CharField(help_text="The questionnaire page on the studio's host.")
    sent_at = serializers.DateTimeField()


class ProposalItemSerializer(serializers.Serializer):
    package = serializers.CharField(help_text="The package (session type) proposed.")
    start = serializers.DateTimeField(allow_null=True, help_text="The proposed time; null: the client picks a slot.")
    expires_at = serializers.DateTimeField(allow_null=True, help_text="After this the proposal can't be accepted.")
    token = serializers.CharField(help_text="For /api/client/proposals/{token}/ (read, accept, decline).")
    url = serializers.CharField(help_text="The proposal page on the studio's host: accept, sign and pay there.")
    sent_at = serializers.DateTimeField(allow_null=True)


class OverviewSerializer(serializers.Serializer):
    client = ClientDetailsSerializer()
    bookings = BookingListsSerializer()
    contracts = ContractItemSerializer(many=True)
    invoices = InvoiceItemSerializer(many=True)
    galleries = GalleryItemSerializer(many=True)
    questionnaires = QuestionnaireItemSerializer(many=True)
    proposals = ProposalItemSerializer(many=True, help_text="Proposals waiting for the client's answer.")


class DetailsUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True)


class GalleryAccessSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="A gallery token, as POST /api/client/galleries/unlock/ gives.")
    gallery = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


def details(client) -> dict:
    return {"name": client.name, "email": client.email, "phone": client.phone, "address": client.address}


class PortalLinkView(APIView):
    authentication_classes: list = []
    throttle_classes: list = []  # its own two, once the address is read (check_link_throttles)

    @extend_schema(
        summary="E-mail a client a portal sign-in link",
        description="Always the same 202 answer, whether or not the address is a client of the studio.",
        request=LinkRequestSerializer,
        responses={202: LinkRequestedSerializer},
        auth=[],
    )
    def post(self, request):
        studio = require_studio(request)
        data = LinkRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = clean_email(data.validated_data["email"])
        check_link_throttles(request, studio, email)
        portal.request_link(studio, email)
        return Response({"message": sent_message(studio, email)}, status=status.HTTP_202_ACCEPTED)


class PortalSessionView(PortalAPIView):
    def get_authenticators(self):
        # Exchanging a link needs no portal token: a stale Authorization header (a gallery token) is ignored.
        if getattr(self.request, "method", "") == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        summary="Exchange the e-mailed sign-in token for a portal token",
        request=SessionRequestSerializer,
        responses={201: SessionSerializer},
        auth=[],
    )
    def post(self, request):
        studio = require_studio(request)
        data = SessionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, session = portal.redeem_link(studio, data.validated_data["token"])
        body = {"token": token, "expires_at": session.expires_at, "client": details(session.client)}
        return Response(SessionSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Sign out (end the portal token)", request=None, responses={204: None})
    def delete(self, request):
        portal.sign_out(self.session())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PortalOverviewView(PortalAPIView):
    @extend_schema(
        summary="The signed-in client's bookings, contracts, invoices, galleries, questionnaires and proposals",
        responses=OverviewSerializer,
    )
    def get(self, request):
        session = self.session()
        data = overview(require_studio(request), session.client).as_json()
        return Response(OverviewSerializer(data).data)


class PortalMeView(PortalAPIView):
    @extend_schema(summary="The signed-in client's contact details", responses=ClientDetailsSerializer)
    def get(self, request):
        return Response(details(self.session().client))

    @extend_schema(
        summary="Update the signed-in client's name, phone or address",
        request=DetailsUpdateSerializer,
        responses=ClientDetailsSerializer,
    )
    def patch(self, request):
        client = self.session().client
        data = DetailsUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        portal.update_details(client, **data.validated_data)
        return Response(details(client))


class PortalGalleryAccessView(PortalAPIView):
    @extend_schema(
        summary="A gallery token for one of the client's galleries (no access code needed)",
        request=None,
        responses={201: GalleryAccessSerializer},
    )
    def post(self, request, gallery_id: int):
        session = self.session()
        token, access = open_gallery(require_studio(request), session.client, gallery_id, ip=client_ip(request))
        body = {"token": token, "gallery": access.gallery_id, "expires_at": access.expires_at}
        return Response(GalleryAccessSerializer(body).data, status=status.HTTP_201_CREATED)


# --- The studio API: invite a client -------------------------------------------------------------------------


class PortalInvitationSerializer(serializers.Serializer):
    sent_to = serializers.EmailField()
    expires_at = serializers.DateTimeField(help_text="When the e-mailed link stops working.")


def invite(client) -> dict:
    """E-mail `client` a portal sign-in link (the studio API's and the admin's action)."""
    link = portal.invite(client, via="api")
    return {"sent_to": client.email, "expires_at": link.expires_at}
