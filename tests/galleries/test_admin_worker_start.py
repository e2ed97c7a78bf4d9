"""A web worker compiles its templates when it starts (config/gunicorn.py, post_worker_init), so no admin page
compiles one on a photographer's request: not the first visit after a deploy, and not into objects the worker's
full garbage collections would walk for the rest of its life (issue 14's admin p95)."""

import pytest
from django.template import engines
from django.template.base import Template

from config.gunicorn import compile_templates

from .conftest import bulk_ready_photos
from .factories import make_gallery

pytestmark = pytest.mark.django_db


def test_after_the_worker_starts_the_gallery_admin_compiles_no_template(
    admin_client_for, photographer, studio, monkeypatch
):
    admin = admin_client_for(photographer)
    admin.defaults["HTTP_HOST"] = "localhost"
    gallery = make_gallery(studio)
    bulk_ready_photos(gallery, 3)
    assert compile_templates() > 500  # the site's, Wagtail's admin and the form widgets'

    compiled = []
    compile_nodelist = Template.compile_nodelist

    def watched(template):
        compiled.append(template.name)
        return compile_nodelist(template)

    monkeypatch.setattr(Template, "compile_nodelist", watched)
    for url in [
        "/admin/galleries/",
        f"/admin/galleries/{gallery.pk}/photos/",
        f"/admin/pages/{gallery.pk}/edit/",
        f"/admin/galleries/{gallery.pk}/upload/",
        f"/admin/galleries/{gallery.pk}/activity/",
        "/admin/images/",
    ]:
        assert admin.get(url).status_code == 200, url
    assert compiled == []


def test_a_broken_template_does_not_stop_a_worker_from_starting(settings, tmp_path):
    (tmp_path / "broken.html").write_text("{% if %}")
    (tmp_path / "fine.html").write_text("{{ name }}")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    assert compile_templates() > 500
    assert engines["django"].from_string("{% include 'fine.html' %}").render({"name": "Emma"}) == "Emma"
