"""Wagtail's site root paths, narrowed to the sites a request can link to (issue 18).

Wagtail builds every page URL from `Site.get_site_root_paths()`: the root path of *every* site on the platform,
one cache entry that each call unpickles whole (about 4 µs per site: 7 ms at 1,800 studios, hundreds at
100,000), then scanned per page. A studio's request only ever links to its own pages, so:

- `StudioMiddleware` narrows a request resolved to a studio (its host, or `?site=` on the API) to that studio's
  site: built from the `Site` and root page the host lookup already loaded, no cache or database read at all;
- `AdminUserMiddleware` narrows the admin of a photographer (not platform staff) to their studios' sites plus
  Wagtail's default site (`placeholder.invalid`, one cache read): with two sites Wagtail keeps answering
  absolute URLs ("View live" on the platform host links to the studio's own host);
- platform staff in the admin, and everything outside a request (tasks, shell), keep Wagtail's own list.

`narrow()` sets a context variable that `Site.get_site_root_paths` (patched by `install()`) answers from, and
the request's own `_wagtail_cached_site_root_paths`, which `Page.get_url_parts(request=…)`, the page chooser
and the redirects read first. With `WAGTAIL_I18N_ENABLED` a site has one root path per language: nothing is
narrowed then (`can_narrow()`)."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from wagtail.models import Site
from wagtail.models.sites import SiteRootPath

_narrowed: ContextVar[tuple | None] = ContextVar("focusflow_site_root_paths", default=None)
DEFAULT_SITE_KEY = "studios:default-site-root-paths:v1"
DEFAULT_SITE_SECONDS = 3600

_wagtail_get_site_root_paths = Site.get_site_root_paths
_wagtail_clear_site_root_paths_cache = Site.clear_site_root_paths_cache


def can_narrow() -> bool:
    return not getattr(settings, "WAGTAIL_I18N_ENABLED", False)


def root_path_of(site: Site) -> SiteRootPath:
    """The site's root path, from the site and its root page (and locale) as loaded: no query when the caller
    selected `root_page__locale` with it."""
    root = site.root_page
    return SiteRootPath(site.id, root.url_path, site.root_url, root.locale.language_code)


def default_site_root_paths() -> list[SiteRootPath]:
    """Wagtail's default site (belongs to no studio), one cache read; cleared whenever Wagtail clears its own."""
    cached = cache.get(DEFAULT_SITE_KEY)
    if cached is None:
        cached = [
            tuple(root_path_of(site))
            for site in Site.objects.filter(is_default_site=True).select_related("root_page__locale")
        ]
        cache.set(DEFAULT_SITE_KEY, cached, DEFAULT_SITE_SECONDS)
    return [SiteRootPath(*values) for values in cached]


def ordered(paths) -> list[SiteRootPath]:
    """Wagtail's order (`-root_page__url_path`): a more specific root path before the one it lies under."""
    unique = list(dict.fromkeys(paths))
    return sorted(unique, key=lambda p: p.root_path, reverse=True)


def current() -> tuple | None:
    """The narrowed root paths of the running request, or None (Wagtail's full list)."""
    return _narrowed.get()


@contextmanager
def narrow(paths, request=None):
    """Within the block, `Site.get_site_root_paths()` answers `paths` (and so does `request`'s cached copy)."""
    if not can_narrow():
        yield
        return
    paths = tuple(ordered(paths))
    token = _narrowed.set(paths)
    if request is not None:
        request._wagtail_cached_site_root_paths = list(paths)
    try:
        yield
    finally:
        _narrowed.reset(token)


@contextmanager
def request_scope(paths=None, request=None):
    """Around a whole request (StudioMiddleware): narrowed to `paths` if given, and whatever `narrow_request()`
    sets later in the request (the studio API's key) is undone when it ends."""
    if paths is not None and can_narrow():
        paths = tuple(ordered(paths))
        if request is not None:
            request._wagtail_cached_site_root_paths = list(paths)
    else:
        paths = None
    token = _narrowed.set(paths)
    try:
        yield
    finally:
        _narrowed.reset(token)


def narrow_request(request, paths) -> None:
    """Narrow the rest of a request already inside `request_scope()` (the studio API learns its studio from the
    API key, after the middleware)."""
    if not can_narrow():
        return
    paths = tuple(ordered(paths))
    _narrowed.set(paths)
    request._wagtail_cached_site_root_paths = list(paths)


def get_site_root_paths():
    paths = _narrowed.get()
    if paths is not None:
        return list(paths)
    return _wagtail_get_site_root_paths()


def clear_site_root_paths_cache():
    _wagtail_clear_site_root_paths_cache()
    cache.delete(DEFAULT_SITE_KEY)


def install():
    """Called from StudiosConfig.ready(): Wagtail calls `Site.get_site_root_paths()` by name everywhere."""
    if Site.get_site_root_paths is get_site_root_paths:
        return
    Site.get_site_root_paths = staticmethod(get_site_root_paths)
    Site.clear_site_root_paths_cache = staticmethod(clear_site_root_paths_cache)
