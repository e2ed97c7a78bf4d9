"""A lapsed subscription makes the studio read-only in the admin too: pages can be viewed, not changed."""

from django.contrib import messages
from django.shortcuts import redirect

from studios.models import Studio

from ..limits import is_read_only


def refuse_when_lapsed(request, page):
    """For the before_*_page hooks: a redirect back with the reason, or None to go ahead."""
    if request.method != "POST":
        return None
    studio = Studio.objects.for_page(page).first()
    if studio is None or not is_read_only(studio):
        return None
    messages.error(
        request,
        "Your FocusFlow subscription has lapsed, so your studio is read-only: everything is kept, but nothing "
        "can be changed. Renew it under Settings → Plan and usage.",
    )
    return redirect(request.get_full_path())
