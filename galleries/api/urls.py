"""galleries endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import frontend_api.converters  # noqa: F401 - registers <id:…> and <token:…>

from . import views
from .studio import GalleryViewSet
from .studio_curation import DeletePhotosView, HidePhotosView, MovePhotosView, ReorderPhotosView

# /api/client/... (anonymous or gallery token)
client_urlpatterns: list = [
    path("galleries/unlock/", views.UnlockView.as_view(), name="gallery-unlock"),
    path("galleries/<id:gallery_id>/", views.GalleryDetailView.as_view(), name="gallery-detail"),
    path("galleries/<id:gallery_id>/photos/", views.PhotoListView.as_view(), name="gallery-photos"),
    path("galleries/<id:gallery_id>/favorites/", views.FavoritesView.as_view(), name="gallery-favorites"),
    path("galleries/<id:gallery_id>/selection/", views.SelectionView.as_view(), name="gallery-selection"),
    path(
        "galleries/<id:gallery_id>/selection/submit/",
        views.SelectionSubmitView.as_view(),
        name="gallery-selection-submit",
    ),
    path("galleries/<id:gallery_id>/comments/", views.CommentsView.as_view(), name="gallery-comments"),
    path("galleries/<id:gallery_id>/download/", views.GalleryDownloadView.as_view(), name="gallery-download"),
    path("photos/<id:photo_id>/download/", views.PhotoDownloadView.as_view(), name="photo-download"),
    path("originals/<token:token>/", views.OriginalView.as_view(), name="gallery-original"),
]
# /api/studio/... (studio API key)
_studio_router = SimpleRouter()
_studio_router.register("galleries", GalleryViewSet, basename="gallery")
studio_urlpatterns: list = [
    *_studio_router.urls,
    path("galleries/<id:gallery_id>/photos/order/", ReorderPhotosView.as_view(), name="gallery-photos-order"),
    path("galleries/<id:gallery_id>/photos/move/", MovePhotosView.as_view(), name="gallery-photos-move"),
    path("galleries/<id:gallery_id>/photos/hide/", HidePhotosView.as_view(), name="gallery-photos-hide"),
    path("galleries/<id:gallery_id>/photos/delete/", DeletePhotosView.as_view(), name="gallery-photos-delete"),
]
