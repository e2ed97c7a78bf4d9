"""workflows endpoints of the headless API (mounted by frontend_api.urls)."""

from rest_framework.routers import SimpleRouter

from .studio import WorkflowRunViewSet, WorkflowViewSet

# /api/client/...: none (workflows are the studio's)
client_urlpatterns: list = []
# /api/studio/... (studio API key)
_studio_router = SimpleRouter()
_studio_router.register("workflows", WorkflowViewSet, basename="workflow")
_studio_router.register("workflow-runs", WorkflowRunViewSet, basename="workflow-run")
studio_urlpatterns: list = _studio_router.urls
