"""The gallery unlock token as DRF authentication: `Authorization: Bearer <token>`, `X-Gallery-Token: <token>`
or, for download links opened in a browser, `?token=`."""

from rest_framework.authentication import BaseAuthentication

from frontend_api.errors import api_error
from studios.errors import DomainError

from ..access import access_for_token, token_from_request


class GalleryTokenAuthentication(BaseAuthentication):
    """request.auth = the GalleryAccess the unlock token stands for."""

    def authenticate(self, request):
        token = token_from_request(request) or request.query_params.get("token", "")
        if not token:
            return None
        try:
            access = access_for_token(token, getattr(request, "studio", None))
        except DomainError as exc:
            raise api_error(exc) from exc  # DRF expects an APIException from authenticate()
        return (None, access)

    def authenticate_header(self, request):
        return 'Bearer realm="gallery"'
