"""Gallery photos stay out of the studio's Images library and Wagtail's image choosers (issue 17): a wedding
of 800 photos would bury the studio's portfolio images, and a photo still waiting for the pipeline has no
thumbnail to show. The photographer manages gallery photos in the gallery (upload, activity, cover).

Wagtail has a hook for the chooser's queryset but none for the library's listing, so the listing is Wagtail's
own IndexView with a narrower base queryset, served at the same URLs (registered before wagtail.images',
galleries/wagtail_hooks.py). tests/galleries/test_library.py fails loudly if an upgrade moves them."""

from django.urls import path
from wagtail.images.views.images import IndexView


def library_images(images):
    return images.filter(is_gallery_photo=False)


class LibraryIndexView(IndexView):
    def get_base_queryset(self):
        return library_images(super().get_base_queryset())


def library_urls():
    return [
        path("images/", LibraryIndexView.as_view(), name="galleries_images_library"),
        path("images/results/", LibraryIndexView.as_view(results_only=True), name="galleries_images_library_results"),
    ]
