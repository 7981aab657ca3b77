"""Every photo door refuses a decompression bomb and non-images with a field error, and stores
photos without EXIF (issue 12 item 13) — order photos and visit photos alike."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from governance import access
from governance.errors import ValidationFailed
from governance.images import clean_image
from tests.workorders.conftest import grid_point, jpeg


def bomb_png(width: int = 20_000, height: int = 10_000) -> SimpleUploadedFile:
    """A PNG whose header says 200 megapixels, a few hundred bytes long: decoding it would take
    gigabytes. Only the header is needed to refuse it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return SimpleUploadedFile("bomb.png", data, content_type="image/png")


@pytest.mark.parametrize("width,height", [(20_000, 10_000), (8_000, 6_000)])
def test_the_core_door_refuses_too_many_pixels_from_the_header(width, height):
    with pytest.raises(ValidationFailed) as err:
        clean_image(bomb_png(width, height))
    assert "photos" in err.value.fields


def test_non_images_are_refused():
    with pytest.raises(ValidationFailed):
        clean_image(SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>"))


def _exif_of(stored) -> dict:
    stored.open("rb")
    with Image.open(io.BytesIO(stored.read())) as img:
        return dict(img.getexif())


def test_order_report_api_refuses_a_bomb(world, api_for):
    from workorders.models import Category, WorkOrder
    from workorders.reference import load_defaults

    load_defaults()
    lon, lat = grid_point(world.grids[0])
    before = WorkOrder.objects.count()
    response = api_for("wang_resident").post("/api/v1/orders/", {
        "channel": "portal", "category": Category.objects.get(kind="event", code="0102").pk, "description": "灯坏",
        "lon": lon, "lat": lat, "photos": [bomb_png()]}, format="multipart")
    assert response.status_code == 400 and "photos" in response.json()["error"]["fields"]
    assert WorkOrder.objects.count() == before


def test_visit_photos_refuse_a_bomb_and_lose_their_exif(world, api_for):
    from households.models import Visit
    from households.services import person_create
    from tests.households.conftest import flat

    household = flat(world.grids[0], "和平里东街1号")
    person = person_create(household=household, name="张桂英", actor=access.system())
    api = api_for("li_gridworker")
    refused = api.post("/api/v1/households/visits/", {"person": person.pk, "findings": "良好",
                                                      "photos": [bomb_png()]}, format="multipart")
    assert refused.status_code == 400 and "photos" in refused.json()["error"]["fields"]
    assert not Visit.objects.filter(person=person).exists()
    ok = api.post("/api/v1/households/visits/", {"person": person.pk, "findings": "良好", "photos": [jpeg()]},
                  format="multipart")
    assert ok.status_code == 201, ok.content
    photo = Visit.objects.get(person=person).photos.get()
    assert _exif_of(photo.image) == {}  # no GPS of the resident's home, no camera
