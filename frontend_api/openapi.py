"""drf-spectacular: describe the API-key scheme once."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "frontend_api.auth.ApiKeyAuthentication"
    name = "studioApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ff_<prefix>_<secret>",
            "description": "A studio API key, created in the studio's admin (Settings → API keys).",
        }
