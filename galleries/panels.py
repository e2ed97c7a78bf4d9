"""The "Photos" panel on a gallery's edit page: how many photos the gallery has, and the way to its Photos
page (the gallery manager, galleries/admin_photos.py). Photos are rows, never page content, so the panel
shows them rather than editing them."""

from django.urls import reverse
from wagtail.admin.panels import Panel


class GalleryPhotosPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "galleries/admin/photos_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            gallery = self.instance
            if gallery.pk:
                context["manager_url"] = reverse("galleries_manager", args=[gallery.pk])
                context["counts"] = gallery.photo_counts()
            return context
