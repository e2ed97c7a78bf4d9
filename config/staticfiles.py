"""Static files with a content hash in their names, so WhiteNoise serves them as immutable (cached for years)
and a deploy changes every name whose content changed (README: "Static files").

WhiteNoise's CompressedManifestStaticFilesStorage (hashed names, .gz and .br beside each file), plus the
client site's ES modules: `import … from "./blurhash.js"` in static/site/*.js is rewritten to the hashed
name too, or a hashed gallery.js would load an un-hashed blurhash.js with the short cache. Only our own
modules are scanned: third-party bundles (Wagtail's admin) may hold text that looks like an import."""

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage

_JS_MODULE_PATTERNS = HashedFilesMixin._js_module_import_aggregation_patterns[1]


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = (*CompressedManifestStaticFilesStorage.patterns, ("site/*.js", _JS_MODULE_PATTERNS))
    # A name missing from the manifest (a file added without collectstatic) is served un-hashed, with
    # WhiteNoise's short cache, rather than failing the page.
    manifest_strict = False
