"""Forget the cached host → studio answers (studios/tenancy.py) when what they hold changes: the studio, its
domains, its Wagtail site, or its site's root page (its URL path is the site root path, studios/site_roots.py)."""

from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, Site

from .media import studio_path
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


def _document_saving(sender, instance, **kwargs):
    """A new document's file goes under its studio's prefix (tenants/<id>/documents/…, studios/media.py).
    Wagtail's document model names its folder with a plain `upload_to="documents"`, so the file is stored here,
    before the field's own pre_save (which then leaves a committed file alone)."""
    file = instance.file
    if not file or file._committed or not instance.collection_id:
        return
    collection = Collection.objects.filter(pk=instance.collection_id).first()
    root = collection.get_ancestors(inclusive=True).filter(depth=2).first() if collection else None
    studio_id = Studio.objects.filter(collection=root).values_list("pk", flat=True).first() if root else None
    if studio_id is None:
        return  # the platform's root collection: no studio, the stock name
    field = instance._meta.get_field("file")
    name = studio_path(studio_id, field.generate_filename(instance, file.name))
    file.name = field.storage.save(name, file.file, max_length=field.max_length)
    setattr(instance, field.attname, file.name)
    file._committed = True


def connect():
    pre_save.connect(_document_saving, sender=get_document_model(), dispatch_uid="studios.media.document_prefix")
    post_save.connect(_studio_changed, sender=Studio, dispatch_uid="studios.host_cache.studio_saved")
    post_delete.connect(_studio_changed, sender=Studio, dispatch_uid="studios.host_cache.studio_deleted")
    post_save.connect(_domain_changed, sender=StudioDomain, dispatch_uid="studios.host_cache.domain_saved")
    post_delete.connect(_domain_changed, sender=StudioDomain, dispatch_uid="studios.host_cache.domain_deleted")
    post_save.connect(_site_changed, sender=Site, dispatch_uid="studios.host_cache.site_saved")
    post_delete.connect(_site_changed, sender=Site, dispatch_uid="studios.host_cache.site_deleted")
    post_save.connect(_page_saved, dispatch_uid="studios.host_cache.page_saved")
