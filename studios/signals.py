"""Forget the cached host → studio answers (studios/tenancy.py) when what they hold changes: the studio, its
domains, its Wagtail site, or its site's root page (its URL path is the site root path, studios/site_roots.py)."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Site

from .models import Studio, StudioDomain
from .tenancy import forget_hosts, forget_studio_hosts


def _studio_changed(sender, instance, **kwargs):
    forget_studio_hosts(instance)


def _domain_changed(sender, instance, **kwargs):
    forget_hosts(instance.hostname)


def _site_changed(sender, instance, **kwargs):
    forget_hosts(instance.hostname)
    for studio in Studio.objects.filter(site_id=instance.pk):
        forget_studio_hosts(studio)


def _page_saved(sender, instance, **kwargs):
    # Site roots are the studios' home pages, children of Wagtail's root; deeper pages root no site here.
    if not isinstance(instance, Page) or instance.depth is None or instance.depth > 2:
        return
    for site in Site.objects.filter(root_page_id=instance.pk):
        _site_changed(Site, site)


def connect():
    post_save.connect(_studio_changed, sender=Studio, dispatch_uid="studios.host_cache.studio_saved")
    post_delete.connect(_studio_changed, sender=Studio, dispatch_uid="studios.host_cache.studio_deleted")
    post_save.connect(_domain_changed, sender=StudioDomain, dispatch_uid="studios.host_cache.domain_saved")
    post_delete.connect(_domain_changed, sender=StudioDomain, dispatch_uid="studios.host_cache.domain_deleted")
    post_save.connect(_site_changed, sender=Site, dispatch_uid="studios.host_cache.site_saved")
    post_delete.connect(_site_changed, sender=Site, dispatch_uid="studios.host_cache.site_deleted")
    post_save.connect(_page_saved, dispatch_uid="studios.host_cache.page_saved")
