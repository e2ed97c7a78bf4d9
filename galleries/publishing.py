"""Publishing a gallery: the plan's active-gallery limit applies, and the studio's
integrations hear `gallery.published`."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail.signals import page_published

from billing.limits import PlanLimitReached, check_limit
from studios import events

from .models import Gallery
from .tasks import rerender_gallery


def refuse_publish_over_limit(request, page):
    """`before_create_page` / `before_edit_page`: publishing one more live gallery than the plan allows is
    refused with the plan's message; the draft can still be saved."""
    if request.method != "POST" or "action-publish" not in request.POST:
        return None
    if isinstance(page, Gallery) and page.live:
        return None  # already counted
    studio = getattr(page, "studio", None)
    if studio is None:
        return None
    try:
        check_limit(studio, "active_galleries")
    except PlanLimitReached as exc:
        messages.error(request, exc.message)
        return redirect(request.get_full_path())
    return None


def on_page_published(sender, instance, **kwargs):
    # Its watermark may have been turned on or off: clients get other renditions, made now (a no-op when
    # every photo has them).
    rerender_gallery(instance.pk)
    events.publish(instance.studio, "gallery.published", instance)


def connect():
    page_published.connect(on_page_published, sender=Gallery, dispatch_uid="focusflow-gallery-published")
