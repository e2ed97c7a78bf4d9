"""The admin's page chooser, scoped to the signed-in photographer's studio."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from wagtail.admin.views.chooser import BrowseView
from wagtail.models import Page

from .admin_viewsets import user_may_browse


class StudioPageBrowseView(BrowseView):
    """The page chooser's browse step: another studio's page is 404, not a peek (wagtail#1700)."""

    def get(self, request, parent_page_id=None):
        if parent_page_id is not None:
            page = get_object_or_404(Page, pk=parent_page_id)
            if not user_may_browse(request.user, page):
                raise Http404("No such page.")
        return super().get(request, parent_page_id)
