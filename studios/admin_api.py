"""Wagtail's admin JSON API (/admin/api/main/), limited to the signed-in photographer's studio.

Wagtail's image and document endpoints list every collection and its page endpoint every page the
user may explore; the `construct_admin_api` hook in wagtail_hooks.py puts these in their place."""

from django.db.models import Q
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet

from .admin_scoping import owned_collection_ids, owned_pages_q


class _CollectionScoped:
    # The admin's session, as the page endpoint has it (these two otherwise take the project's API auth).
    authentication_classes = PagesAdminAPIViewSet.authentication_classes

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.user.is_superuser:
            return queryset
        return queryset.filter(collection_id__in=owned_collection_ids(self.request.user))


class StudioImagesAdminAPIViewSet(_CollectionScoped, ImagesAdminAPIViewSet):
    pass


class StudioDocumentsAdminAPIViewSet(_CollectionScoped, DocumentsAdminAPIViewSet):
    pass


class StudioPagesAdminAPIViewSet(PagesAdminAPIViewSet):
    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.request.user.is_superuser:
            return queryset
        # The root stays: `child_of=root` and the explorer's breadcrumbs start there.
        return queryset.filter(Q(depth=1) | owned_pages_q(self.request.user))


ENDPOINTS = {
    "pages": StudioPagesAdminAPIViewSet,
    "images": StudioImagesAdminAPIViewSet,
    "documents": StudioDocumentsAdminAPIViewSet,
}
