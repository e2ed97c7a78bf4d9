"""Static files with a content hash in their names, so WhiteNoise serves them as immutable (cached for years)
and a deploy changes every name whose content changed (docs/architecture.md: "Compression and static files").

WhiteNoise's CompressedManifestStaticFilesStorage (hashed names, a .gz beside each file, and .br with
Brotli), plus the client site's ES modules: `import … from "./blurhash.js"` in static/site/*.js is rewritten to
the hashed name too, or a hashed gallery.js would load an un-hashed blurhash.js with the short cache. Only our own
modules are scanned: third-party bundles (Wagtail's admin) may hold text that looks like an import."""

import logging

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)
_JS_MODULE_PATTERNS = HashedFilesMixin._js_module_import_aggregation_patterns[1]


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = (*CompressedManifestStaticFilesStorage.patterns, ("site/*.js", _JS_MODULE_PATTERNS))

    def stored_name(self, name):
        """A name that was never collected (a file added without collectstatic) keeps its plain name (WhiteNoise
        serves it with its short cache, or answers 404) instead of failing the whole page with a 500."""
        try:
            return super().stored_name(name)
        except ValueError:
            logger.warning("static file %s is not in the manifest: run collectstatic", name)
            return name
