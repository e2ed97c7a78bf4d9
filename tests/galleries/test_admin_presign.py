"""The admin uploader's presign endpoint (`/admin/galleries/<id>/upload/presign/`) validates what it is sent
with a form: bad input is a 400 in JSON that says what to fix, never a 500, and nothing is reserved."""

import json

import pytest

from galleries.models import GalleryPhoto, StudioImage

from .factories import make_gallery

pytestmark = pytest.mark.django_db

NO_S3 = "Direct uploads need S3 storage"  # what a valid request meets in the tests (local storage)


@pytest.fixture
def a_admin(admin_client_for, photographer):
    admin = admin_client_for(photographer)
    admin.defaults["HTTP_HOST"] = "localhost"
    return admin


@pytest.fixture
def presign(a_admin, gallery):
    def post(body, gallery_id=None, content_type="application/json"):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return a_admin.post(f"/admin/galleries/{gallery_id or gallery.pk}/upload/presign/", data, content_type)

    return post


def refused(response, status=400):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert GalleryPhoto.objects.count() == 0 and StudioImage.objects.count() == 0
    return response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "Send a JSON object with filename, size and set."),
        (b"\xff\xfe{", "Send a JSON object with filename, size and set."),
        ("[1, 2]", "Send a JSON object"),
        ('"a.jpg"', "Send a JSON object"),
        ("null", "Send a JSON object"),
        ("[" * 100_000 + "]" * 100_000, "Send a JSON object"),
        ({"filename": "a.jpg"}, "Send the file's size in bytes."),
        ({"size": 1000}, "Send the file's name."),
        ({"filename": "a.jpg", "size": "abc"}, "whole number of bytes"),
        ({"filename": "a.jpg", "size": [1]}, "whole number of bytes"),
        ({"filename": "a.jpg", "size": {"n": 1}}, "whole number of bytes"),
        ({"filename": "a.jpg", "size": 1.5}, "whole number of bytes"),
        ({"filename": "a.jpg", "size": True}, "whole number of bytes"),
        ('{"filename": "a.jpg", "size": 1e400}', "whole number of bytes"),
        ('{"filename": "a.jpg", "size": NaN}', "whole number of bytes"),
        ({"filename": "a.jpg", "size": 10**30}, "can be uploaded; this one is bigger"),
        ({"filename": "a.jpg", "size": 0}, "The file is empty (0 bytes)."),
        ({"filename": "a.jpg", "size": -5}, "The file is empty (0 bytes)."),
        ({"filename": ["a.jpg"], "size": 1000}, "must be text"),
        ({"filename": 12, "size": 1000}, "must be text"),
        ('{"filename": "\\ud800.jpg", "size": 1000}', "must be text"),
        ({"filename": "a" * 300, "size": 1000}, "at most 255 characters"),
        ({"filename": "a.jpg", "size": 1000, "set": "abc"}, "Choose a set of this gallery."),
        ({"filename": "a.jpg", "size": 1000, "set": -1}, "greater than or equal to 1"),
        ({"filename": "a.jpg", "size": 1000, "set": 10**30}, "That set is not in this gallery."),
    ],
)
def test_bad_input_is_a_clear_400(presign, body, message):
    assert message in refused(presign(body))


def test_a_set_of_another_gallery_or_studio_is_refused(presign, studio, other_studio):
    own_other = make_gallery(studio, title="Other", sets=["Portraits"]).sets.get()
    theirs = make_gallery(other_studio, title="Harbour", sets=["Harbour Secret Set"]).sets.get()
    for photo_set in (own_other, theirs):
        body = {"filename": "a.jpg", "size": 1000, "set": photo_set.pk}
        assert refused(presign(body)) == "That set is not in this gallery."


def test_another_studios_gallery_is_a_json_404(presign, other_studio):
    theirs = make_gallery(other_studio, title="Harbour Secret Gallery")
    response = presign({"filename": "a.jpg", "size": 1000}, gallery_id=theirs.pk)
    assert refused(response, 404) == "No such gallery."
    assert b"Harbour" not in response.content


@pytest.mark.parametrize("set_value", ["", None, "first"])
def test_valid_input_reaches_the_upload_service(presign, gallery, set_value):
    # The uploader sends the set <select>'s value: "" for none, else the id as text.
    set_value = str(gallery.sets.first().pk) if set_value == "first" else set_value
    response = presign({"filename": "DSC_0001.jpg", "size": 1000, "set": set_value})
    assert NO_S3 in refused(response)  # validated, then the service says what this storage can't do
