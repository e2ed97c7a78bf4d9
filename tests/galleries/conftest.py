import socket
import time

import boto3
import pytest
from django.test import override_settings

from galleries.models import GalleryPhoto, StudioImage, StudioRendition, WatermarkSettings
from galleries.renditions import rendition_specs

from .factories import jpeg, make_gallery, upload


@pytest.fixture
def gallery(studio):
    return make_gallery(studio, sets=["Ceremony", "Reception"], access_code="WEDDING24")


@pytest.fixture
def photos(gallery):
    ceremony, reception = gallery.sets.all()
    return [
        upload(gallery, jpeg(i, 480, 320), f"IMG_{i:04d}.jpg", ceremony if i < 3 else reception) for i in range(1, 5)
    ]


@pytest.fixture
def unlock(client):
    def do(studio, code="WEDDING24", **extra):
        response = client.post(
            "/api/client/galleries/unlock/",
            {"code": code, **extra},
            content_type="application/json",
            HTTP_HOST=studio.hostname,
        )
        assert response.status_code == 201, response.content
        return response.json()["token"]

    return do


@pytest.fixture
def api(client):
    """client API calls as `api("get", url, studio, token, data)`."""

    def call(method, url, studio, token=None, data=None, **extra):
        headers = {"HTTP_HOST": studio.hostname, **extra}
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if method == "get":
            return client.get(url, data or {}, **headers)
        return getattr(client, method)(url, data or {}, content_type="application/json", **headers)

    return call


def bulk_ready_photos(gallery, count: int) -> list[GalleryPhoto]:
    """Rows as the pipeline leaves them (without rendering `count` photos): for query-count tests."""
    specs = rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)
    images = StudioImage.objects.bulk_create(
        StudioImage(
            title=f"IMG_{i:04d}.jpg",
            original_filename=f"IMG_{i:04d}.jpg",
            studio=gallery.studio,
            collection=gallery.studio.collection,
            file=f"original_images/bulk_{gallery.pk}_{i}.jpg",
            width=6000,
            height=4000,
            status=StudioImage.Status.READY,
            blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            is_gallery_photo=True,
        )
        for i in range(count)
    )
    StudioRendition.objects.bulk_create(
        StudioRendition(
            studio_id=image.studio_id,
            image=image,
            filter_spec=spec,
            file=f"images/bulk_{image.pk}_{name}.jpg",
            width=4,
            height=3,
        )
        for image in images
        for name, spec in specs.items()
    )
    return GalleryPhoto.objects.bulk_create(
        GalleryPhoto(studio=gallery.studio, gallery=gallery, image=image, order=i, sha256=f"{image.pk:064d}")
        for i, image in enumerate(images)
    )


# --- S3 (moto's server on loopback) ------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, settings):
    """A fresh bucket, private as production's (no ACL set), as the default storage (config/settings/base.py)."""
    bucket = f"media-{time.time_ns()}"
    boto3.client(
        "s3", endpoint_url=s3_server, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    ).create_bucket(Bucket=bucket)
    options = {
        "bucket_name": bucket,
        "endpoint_url": s3_server,
        "region_name": "us-east-1",
        "access_key": "k",
        "secret_key": "s",
        "addressing_style": "path",
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 3600,
        "file_overwrite": False,
    }
    storages = {**settings.STORAGES, "default": {"BACKEND": "studios.media.PrivateS3Storage", "OPTIONS": options}}
    with override_settings(STORAGES=storages):
        yield bucket
