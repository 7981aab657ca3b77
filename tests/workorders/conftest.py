import datetime as dt
import io
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance import workdays
from workorders.models import Category, RequestType
from workorders.reference import load_defaults


@pytest.fixture
def cats(db):
    load_defaults()
    return {f"{c.kind[0]}{c.code}": c for c in Category.objects.all()}


@pytest.fixture
def rtypes(cats):
    return {r.code: r for r in RequestType.objects.all()}


def grid_point(grid, dx=0.001, dy=0.001):
    """A point inside a seeded grid box (lon, lat)."""
    lon, lat = grid.boundary["coordinates"][0][0]
    return round(lon + dx, 6), round(lat + dy, 6)


def jpeg(name="p.jpg", gps=True, size=(40, 30)):
    from PIL import Image

    img = Image.new("RGB", size, (200, 120, 40))
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (39.0, 57.0, 36.0), 3: "E", 4: (116.0, 25.0, 48.0)}
    img.save(buf, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def make_order(world, cats):
    from workorders import services

    def make(code="e0102", who="wang_resident", grid=0, channel="portal", **kw):
        lon, lat = grid_point(world.grids[grid])
        actor = world.users[who]
        kw.setdefault("description", "小区门口堆了很多生活垃圾，已经好几天没人清理。")
        return services.order_report(actor=actor, channel=channel, category=cats[code], lon=lon, lat=lat, **kw)

    return make


@pytest.fixture
def neighbour(world):
    """Another resident of community A (wang_resident's neighbour)."""
    from governance.models import Assignment, User

    user = User.objects.create(username="zhang_neighbour", display_name="张大爷")
    Assignment.objects.create(user=user, role="resident", region=world.communities[0])
    return User.objects.get(pk=user.pk)


# --- a fixed clock in Shanghai over the 2025 calendar (deadline and escalation tests) ----------

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args).replace(tzinfo=SH)


@pytest.fixture
def calendar_2025(db):
    workdays.load_from_chinesecalendar([2025])
    workdays.invalidate()
    yield
    workdays.invalidate()


def clock(moment):
    return mock.patch("workorders.clock.now", return_value=moment.astimezone(dt.UTC))
