"""galleries endpoints of the headless API (mounted by frontend_api.urls)."""

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = []
# /api/studio/... (studio API key)
studio_urlpatterns: list = []
