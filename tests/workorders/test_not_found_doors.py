"""Staff and KPI pages: a NotFound raised inside a page body answers the 404 page (NotFound is
an Http404), while every other domain error still becomes a message and a redirect."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_staff_action_on_a_missing_application_is_404(world, make_order, client_for):
    order = make_order()
    url = reverse("workorders:staff_action", kwargs={"pk": order.pk})
    client = client_for("chen_street")
    response = client.post(url, {"action": "decide", "application": "999999", "approve": "1"})
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    # another domain error on the same door: a message and back to the order
    response = client.post(url, {"action": "supervise", "note": ""})
    assert response.status_code == 302 and response.url == reverse("workorders:staff_detail", kwargs={"pk": order.pk})


def test_kpi_page_for_a_region_out_of_scope_is_404(world, client_for):
    client = client_for("zhao_community")
    other = world.communities[2]  # community B
    assert client.get(reverse("workorders:kpi"), {"region": other.pk}).status_code == 404
    assert client.get(reverse("workorders:kpi"), {"region": "999999"}).status_code == 404
    assert client.get(reverse("workorders:kpi"), {"region": world.communities[0].pk}).status_code == 200
    # a bad period is a message and a redirect, not a 404
    assert client.get(reverse("workorders:kpi"), {"month": "2026-13"}).status_code == 302
