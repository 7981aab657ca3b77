"""The KPI and hot-spot doors: API (JSON, Excel, weights), staff pages, OpenAPI types."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from governance.models import AuditEvent
from workorders.kpi.models import KpiWeights

from .kpi_factory import at, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(world, cats):
    cg = world.departments["chengguan"]
    order(world, cats["e0102"], status="closed", reported=at("2026-11-02", 10), closed=at("2026-11-02", 15),
          dispatched_at=at("2026-11-02", 10, 30), dept=cg, followup=(True, True, "satisfied"))
    order(world, cats["e0102"], status="closed", reported=at("2026-11-03", 10), closed=at("2026-11-04", 10),
          dispatched_at=at("2026-11-03", 10, 30), dept=cg, followup=(True, False, "basic"))
    order(world, cats["e0102"], grid=6, status="in_progress", reported=at("2026-11-05", 10))


def test_api_report(api_for, orders):
    r = api_for("chen_street").get(reverse("api:workorders:orders-kpi"), {"month": "2026-11", "group": "unit"})
    assert r.status_code == 200, r.data
    assert r.data["region"]["name"] == "和平街道" and r.data["group"] == "unit"
    assert r.data["weights"] == {"response": "0.300", "resolution": "0.350", "satisfaction": "0.350",
                                 "basic_score": "0.800"}
    t = r.data["total"]
    assert (t["orders"], t["followed_up"], t["response_rate"], t["resolution_rate"]) == (2, 2, 1.0, 0.5)
    assert t["satisfaction_rate"] == 0.9 and t["median_work_hours"] == 5.25
    assert [row["label"] for row in r.data["rows"]] == ["城管执法局"]


def test_api_bad_input_is_a_field_error(api_for, orders):
    api = api_for("chen_street")
    r = api.get(reverse("api:workorders:orders-kpi"), {"group": "weather", "month": "11/2026"})
    assert r.status_code == 400 and set(r.data["error"]["fields"]) == {"group", "month"}
    r = api.get(reverse("api:workorders:orders-kpi"), {"start": "2026-11-30", "end": "2026-11-01"})
    assert r.status_code == 400 and "end" in r.data["error"]["fields"]


def test_api_export(api_for, orders):
    from openpyxl import load_workbook

    r = api_for("zhao_community").get(reverse("api:workorders:orders-kpi-export"), {"month": "2026-11"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="kpi-region-20261101-20261130.xlsx"' in r["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[-1][1] == 2  # community A: the two closed orders, not street B's
    assert AuditEvent.objects.filter(action="workorders.kpi_export", actor__username="zhao_community").count() == 1


def test_api_weights(api_for, orders):
    url = reverse("api:workorders:orders-kpi-weights")
    r = api_for("liu_district").put(url, {"response": "0.5", "resolution": "0.5", "satisfaction": "0.5",
                                          "basic_score": "0.8"})
    assert r.status_code == 400 and "satisfaction" in r.data["error"]["fields"]
    r = api_for("liu_district").put(url, {"response": "0.4", "resolution": "0.3", "satisfaction": "0.3",
                                          "basic_score": "0.6"})
    assert r.status_code == 200 and r.data["basic_score"] == "0.600"
    updated_by = KpiWeights.objects.get().updated_by
    assert updated_by is not None and updated_by.username == "liu_district"
    t = api_for("chen_street").get(reverse("api:workorders:orders-kpi"), {"month": "2026-11"}).data["total"]
    assert t["satisfaction_rate"] == 0.8 and t["score"] == pytest.approx(100 * (0.4 + 0.3 * 0.5 + 0.3 * 0.8))


def test_api_hotspots(api_for, world, cats):
    from django.utils import timezone

    now = timezone.now()
    for days in (1, 9, 16):
        order(world, cats["e0102"], reported=now - dt.timedelta(days=days))
    r = api_for("li_gridworker").get(reverse("api:workorders:orders-hotspots"), {"weeks": 4})
    assert r.status_code == 200 and r.data["weeks"] == 4
    assert r.data["clusters"][0]["count"] == 3 and r.data["clusters"][0]["place"]["kind"] == "grid"
    r = api_for("li_gridworker").get(reverse("api:workorders:orders-hotspots"), {"weeks": 99})
    assert r.status_code == 400 and "weeks" in r.data["error"]["fields"]


def test_openapi_documents_the_kpi_types(api_for):
    r = api_for("liu_district").get(reverse("schema"), {"format": "json"})
    schema = r.json() if hasattr(r, "json") else r.data
    paths = schema["paths"]
    assert "/api/v1/orders-kpi/" in paths and "/api/v1/orders-hotspots/" in paths
    props = schema["components"]["schemas"]["KpiRow"]["properties"]
    assert props["score"]["type"] == "number" and props["orders"]["type"] == "integer"
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in \
        paths["/api/v1/orders-kpi/export/"]["get"]["responses"]["200"]["content"]


def test_kpi_page_on_a_phone(client_for, orders):
    c = client_for("chen_street")
    r = c.get(reverse("workorders:kpi"), {"start": "2026-11-01", "end": "2026-11-30", "group": "region"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="viewport"' in html and 'data-testid="kpi-table"' in html
    assert "和平里社区" in html and "5.25" in html  # the community row and the median
    assert 'data-testid="kpi-weights"' not in html  # only the district edits weights
    assert 'data-testid="kpi-export"' in html


def test_kpi_page_weights_form_and_errors(client_for, orders):
    c = client_for("liu_district")
    assert 'data-testid="kpi-weights"' in c.get(reverse("workorders:kpi")).content.decode()
    r = c.post(reverse("workorders:kpi_weights"), {"response": "0.9", "resolution": "0.9", "satisfaction": "0",
                                                   "basic_score": "0.8"}, follow=True)
    assert r.status_code == 200 and not KpiWeights.objects.exists()
    assert any("1" in str(m) for m in r.context["messages"])
    r = c.get(reverse("workorders:kpi"), {"start": "someday"}, follow=True)
    assert r.status_code == 200 and r.redirect_chain


def test_hotspots_page(client_for, world, cats):
    from django.utils import timezone

    now = timezone.now()
    for days in (1, 9, 16):
        order(world, cats["e0102"], reported=now - dt.timedelta(days=days))
    r = client_for("zhao_community").get(reverse("workorders:hotspots"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="hotspot-clusters"' in html and world.grids[0].name in html
    assert client_for("wang_resident").get(reverse("workorders:hotspots")).status_code == 403
