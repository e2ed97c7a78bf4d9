"""OpenAPI description of the gallery token (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class GalleryTokenScheme(OpenApiAuthenticationExtension):
    target_class = "galleries.api.auth.GalleryTokenAuthentication"
    name = "galleryToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "The token returned by POST /api/client/galleries/unlock/, as `Authorization: Bearer <token>` "
                "(or `X-Gallery-Token: <token>`; download links also accept `?token=`)."
            ),
        }
