"""Admin scoping: photographers see only their studio's pages, images and documents.

Wagtail's permissions already scope listings by page subtree and collection;
these hooks close the places it does not (choosers and the explorer show
other roots: wagtail#1700, #1058, #12969)."""

from django.http import Http404
from django.urls import path, reverse
from wagtail import hooks

from . import (
    admin_api,
    dashboard,  # noqa: F401 - registers the studio dashboard panels
)
from .admin_scoping import owned_collection_ids, owned_pages_q
from .admin_viewsets import StudioMenuItem
from .business import BusinessCsvView, BusinessView
from .email_admin import EmailTemplateViewSet


@hooks.register("construct_admin_api", order=100)  # after wagtail.images/documents register theirs
def studio_scoped_admin_api(router):
    for name, viewset in admin_api.ENDPOINTS.items():
        router.register_endpoint(name, viewset)


@hooks.register("construct_explorer_page_queryset")
def explorer_only_own_studio(parent_page, pages, request):
    if request.user.is_superuser:
        return pages
    return pages.filter(owned_pages_q(request.user))


@hooks.register("construct_page_chooser_queryset")
def page_chooser_only_own_studio(pages, request):
    if request.user.is_superuser:
        return pages
    return pages.filter(owned_pages_q(request.user))


@hooks.register("construct_image_chooser_queryset")
def image_chooser_only_own_studio(images, request):
    if request.user.is_superuser:
        return images
    return images.filter(collection_id__in=owned_collection_ids(request.user))


@hooks.register("construct_document_chooser_queryset")
def document_chooser_only_own_studio(documents, request):
    if request.user.is_superuser:
        return documents
    return documents.filter(collection_id__in=owned_collection_ids(request.user))


@hooks.register("before_serve_document")
def serve_only_the_studios_own_documents(document, request):
    """Wagtail serves `/documents/<id>/<name>` by id on any host; a document is served on its own studio's
    site, and to the studio's signed-in members (the admin's links, on the platform host), never elsewhere."""
    studio = getattr(request, "studio", None)
    if studio is not None and studio.collection_id:
        if document.collection.path.startswith(studio.collection.path):
            return None
        raise Http404
    user = request.user
    if user.is_authenticated and (user.is_superuser or document.collection_id in owned_collection_ids(user)):
        return None
    raise Http404


@hooks.register("register_admin_urls")
def business_urls():
    return [
        path("business/", BusinessView.as_view(), name="studio_business"),
        path("business/<slug:name>.csv", BusinessCsvView.as_view(), name="studio_business_csv"),
    ]


@hooks.register("register_admin_menu_item")
def business_menu_item():
    return StudioMenuItem("Business", reverse("studio_business"), icon_name="table", order=310)


@hooks.register("register_admin_viewset")
def email_template_viewset():
    return EmailTemplateViewSet()
