"""Issue 14: static files carry a content hash in their names (WhiteNoise then serves them as immutable), the
client site's ES-module imports included, or a hashed gallery.js would load an un-hashed blurhash.js."""

import re

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from config.staticfiles import HashedStaticFilesStorage


def test_the_gallery_module_imports_its_helper_by_its_hashed_name(tmp_path):
    source = FileSystemStorage(location=settings.BASE_DIR / "static")
    storage = HashedStaticFilesStorage(location=tmp_path, base_url="/static/")
    names = ["site/gallery.js", "site/blurhash.js", "site/gallery.css"]
    for name in names:
        with source.open(name) as f:
            storage.save(name, f)
    failures = [
        result for result in storage.post_process({n: (source, n) for n in names}) if isinstance(result[2], Exception)
    ]
    assert failures == []

    gallery, blurhash = storage.stored_name("site/gallery.js"), storage.stored_name("site/blurhash.js")
    assert re.fullmatch(r"site/gallery\.[0-9a-f]{12}\.js", gallery)
    assert re.fullmatch(r"site/blurhash\.[0-9a-f]{12}\.js", blurhash)
    code = (tmp_path / gallery).read_text()
    assert f'from "./{blurhash.removeprefix("site/")}";' in code
    assert (tmp_path / f"{gallery}.gz").exists()  # precompressed beside it
    # a name that was never collected is served plain (WhiteNoise's short cache), not a 500
    assert storage.url("site/not-collected.js") == "/static/site/not-collected.js"
