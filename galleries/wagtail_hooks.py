"""Admin for galleries: the "Galleries" listing, the `watermark` image operation, and the gallery tools
(photos, upload, activity, watermark)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from studios.charts import HOOK_NAME as BUSINESS_CHARTS_HOOK
from studios.models import Studio

from . import admin_multipart, admin_photos, admin_sharing, admin_views, library
from .admin_listing import GalleryListingViewSet
from .business import gallery_charts
from .client_files import ClientFileOperation
from .dashboard import GalleryActivityPanel
from .emails import SPECS as EMAIL_SPECS
from .models import ClientGalleryIndexPage, Gallery
from .publishing import refuse_publish_over_limit
from .watermark import WatermarkOperation


@hooks.register("studio_pages", order=20)
def client_galleries_page(studio):
    return [ClientGalleryIndexPage(title="Client galleries", slug="galleries", show_in_menus=False)]


@hooks.register("register_image_operations")
def register_image_operations():
    return [("watermark", WatermarkOperation), ("client", ClientFileOperation)]


@hooks.register("register_admin_urls", order=-10)  # before wagtail.images' own `images/`: galleries/library.py
def images_library_without_gallery_photos():
    return library.library_urls()


@hooks.register("construct_image_chooser_queryset")
def image_chooser_without_gallery_photos(images, request):
    return library.library_images(images)


@hooks.register("register_admin_urls")
def register_gallery_admin_urls():
    return [
        path("galleries/<int:gallery_id>/upload/", admin_views.upload_page, name="galleries_upload"),
        path("galleries/<int:gallery_id>/upload/file/", admin_views.upload_file, name="galleries_upload_file"),
        path("galleries/<int:gallery_id>/upload/presign/", admin_views.presign, name="galleries_presign"),
        path(
            "galleries/<int:gallery_id>/upload/<int:photo_id>/complete/",
            admin_views.complete,
            name="galleries_complete",
        ),
        path("galleries/<int:gallery_id>/upload/multipart/", admin_multipart.start, name="galleries_multipart"),
        path(
            "galleries/<int:gallery_id>/upload/multipart/<int:upload_id>/",
            admin_multipart.parts,
            name="galleries_multipart_parts",
        ),
        path(
            "galleries/<int:gallery_id>/upload/multipart/<int:upload_id>/sign/",
            admin_multipart.sign,
            name="galleries_multipart_sign",
        ),
        path(
            "galleries/<int:gallery_id>/upload/multipart/<int:upload_id>/part/<int:part_number>/",
            admin_multipart.part,
            name="galleries_multipart_part",
        ),
        path(
            "galleries/<int:gallery_id>/upload/multipart/<int:upload_id>/complete/",
            admin_multipart.complete,
            name="galleries_multipart_complete",
        ),
        path(
            "galleries/<int:gallery_id>/upload/multipart/<int:upload_id>/abort/",
            admin_multipart.abort,
            name="galleries_multipart_abort",
        ),
        path("galleries/<int:gallery_id>/photos/", admin_photos.manager, name="galleries_manager"),
        path("galleries/<int:gallery_id>/photos/action/", admin_photos.manager_action, name="galleries_manager_action"),
        path("galleries/<int:gallery_id>/photos/reorder/", admin_photos.reorder, name="galleries_reorder"),
        path("galleries/<int:gallery_id>/share/recipients/", admin_sharing.add_recipient, name="galleries_share_add"),
        path(
            "galleries/<int:gallery_id>/share/recipients/<int:link_id>/revoke/",
            admin_sharing.revoke_recipient,
            name="galleries_share_revoke",
        ),
        path(
            "galleries/<int:gallery_id>/share/recipients/<int:link_id>/new-link/",
            admin_sharing.renew_recipient,
            name="galleries_share_renew",
        ),
        path(
            "galleries/<int:gallery_id>/share/qr.svg",
            admin_sharing.gallery_qr,
            {"fmt": "svg"},
            name="galleries_qr_svg",
        ),
        path(
            "galleries/<int:gallery_id>/share/qr.png",
            admin_sharing.gallery_qr,
            {"fmt": "png"},
            name="galleries_qr_png",
        ),
        path("galleries/<int:gallery_id>/status/", admin_views.photo_status, name="galleries_photo_status"),
        path("galleries/<int:gallery_id>/activity/", admin_views.activity, name="galleries_activity"),
        path("galleries/<int:gallery_id>/send-ready/", admin_views.send_ready_email, name="galleries_send_ready"),
        path(
            "galleries/<int:gallery_id>/selections/<int:selection_id>/lightroom.txt",
            admin_views.lightroom_export,
            name="galleries_lightroom",
        ),
        path("galleries/watermark/", admin_views.watermark, name="galleries_watermark"),
    ]


@hooks.register("register_admin_viewset")
def register_gallery_listing():
    return GalleryListingViewSet()


@hooks.register("register_settings_menu_item")
def register_watermark_menu_item():
    return MenuItem("Watermark", reverse("galleries_watermark"), icon_name="image", order=600)


def _gallery_buttons(page, user):
    if not issubclass(page.specific_class or object, Gallery) or not page.permissions_for_user(user).can_edit():
        return
    yield Button("Photos", reverse("galleries_manager", args=[page.pk]), icon_name="image", priority=4)
    # Files are dropped onto the grid: the manager's drop zone (the older one-file-at-a-time page stays at its URL).
    upload = reverse("galleries_manager", args=[page.pk]) + "#upload"
    yield Button("Upload photos", upload, icon_name="upload", priority=5)
    yield Button("Activity", reverse("galleries_activity", args=[page.pk]), icon_name="history", priority=6)


@hooks.register("register_page_header_buttons")
def gallery_header_buttons(page, user, view_name, next_url=None):
    yield from _gallery_buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def gallery_listing_buttons(page, user, next_url=None):
    yield from _gallery_buttons(page, user)


@hooks.register("before_create_page")
def gallery_limit_on_create(request, parent_page, page_class):
    if page_class is Gallery:
        probe = Gallery(studio=Studio.objects.for_page(parent_page).first())
        return refuse_publish_over_limit(request, probe)
    return None


@hooks.register("before_edit_page")
def gallery_limit_on_edit(request, page):
    return refuse_publish_over_limit(request, page.specific)


@hooks.register("register_studio_dashboard_panel")
def gallery_activity_panel(request, studio):
    return GalleryActivityPanel(studio, request)


@hooks.register(BUSINESS_CHARTS_HOOK)
def galleries_business_charts(studio):
    return gallery_charts(studio)


@hooks.register("register_email_templates")
def galleries_email_templates():
    return EMAIL_SPECS
