"""Photos of orders are personal data: served through the order's access check, never as public media."""

from tests.workorders.conftest import jpeg


def test_photo_is_served_to_the_reporter_and_hidden_from_others(world, make_order, client_for):
    order = make_order(photo_files=[jpeg()])
    photo = order.photos.get()
    url = photo.get_absolute_url()
    assert url == f"/orders/photos/{photo.pk}/"
    response = client_for("wang_resident").get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:2] == b"\xff\xd8"  # a JPEG
    assert client_for("feng_resident").get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_api_hands_out_the_checked_url_not_the_media_path(world, make_order, api_for):
    order = make_order(photo_files=[jpeg()])
    detail = api_for("wang_resident").get(f"/api/v1/orders/{order.pk}/").json()
    assert detail["photos"] and all(p["url"].startswith("/orders/photos/") for p in detail["photos"])


def test_media_files_are_not_served_directly(world, make_order, client_for, settings):
    order = make_order(photo_files=[jpeg()])
    path = settings.MEDIA_URL + order.photos.get().image.name
    assert client_for("feng_resident").get(path).status_code == 404
