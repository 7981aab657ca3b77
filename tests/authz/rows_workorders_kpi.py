"""Matrix rows for the work-order KPIs, weights and hot spots (API and staff pages).

No object in the URL: the region is a query parameter, given here by its code (street A
110105001, street B 110105002, grid A2 110105001001002) so the rows stay static."""

from tests.authz.matrix import Row

STREET_A = {"region_code": "110105001"}
STREET_B = {"region_code": "110105002"}
GRID_A2 = {"region_code": "110105001001002"}
WEIGHTS = {"response": "0.3", "resolution": "0.35", "satisfaction": "0.35", "basic_score": "0.8"}

OBJECTS: dict = {}


def _kpi_rows(route, *, anonymous):
    return [
        Row(route, "chen_street", 200),
        Row(route, "chen_street", 200, data=STREET_A),
        Row(route, "chen_street", 404, data=STREET_B, note="another street"),
        Row(route, "zhou_outsider", 404, data=STREET_A, note="twin street"),
        Row(route, "zhao_community", 200),
        Row(route, "zhao_community", 404, data=STREET_A, note="above their community"),
        Row(route, "liu_district", 200, data=STREET_B),
        Row(route, "sun_department", 200, data=STREET_B, note="a department: its own unit anywhere"),
        Row(route, "li_gridworker", 403, note="grid workers read hot spots, not KPIs"),
        Row(route, "wang_resident", 403),
        Row(route, "shui_utility", 200),
        Row(route, None, anonymous),
    ]


def _hotspot_rows(route, *, anonymous):
    return [
        Row(route, "li_gridworker", 200),
        Row(route, "li_gridworker", 404, data=GRID_A2, note="the twin grid"),
        Row(route, "wu_gridworker", 200, data=GRID_A2),
        Row(route, "zhao_community", 200),
        Row(route, "chen_street", 404, data=STREET_B),
        Row(route, "liu_district", 200, data=STREET_B),
        Row(route, "sun_department", 403, note="departments have no area of their own"),
        Row(route, "wang_resident", 403),
        Row(route, None, anonymous),
    ]


ROWS = [
    *_kpi_rows("api:workorders:orders-kpi", anonymous=401),
    *_kpi_rows("api:workorders:orders-kpi-export", anonymous=401),
    Row("api:workorders:orders-kpi-weights", "liu_district", 200),
    Row("api:workorders:orders-kpi-weights", "chen_street", 200),
    Row("api:workorders:orders-kpi-weights", "sun_department", 200),
    Row("api:workorders:orders-kpi-weights", "li_gridworker", 403),
    Row("api:workorders:orders-kpi-weights", "wang_resident", 403),
    Row("api:workorders:orders-kpi-weights", None, 401),
    Row("api:workorders:orders-kpi-weights", "liu_district", 200, method="put", data=WEIGHTS),
    Row("api:workorders:orders-kpi-weights", "chen_street", 403, method="put", data=WEIGHTS),
    Row("api:workorders:orders-kpi-weights", "wang_resident", 403, method="put", data=WEIGHTS),
    Row("api:workorders:orders-kpi-weights", None, 401, method="put", data=WEIGHTS),
    *_hotspot_rows("api:workorders:orders-hotspots", anonymous=401),
    # staff pages
    *_kpi_rows("workorders:kpi", anonymous=302),
    *_kpi_rows("workorders:kpi_export", anonymous=302),
    Row("workorders:kpi_weights", "liu_district", 302, method="post", data=WEIGHTS, note="saved, back to the page"),
    Row("workorders:kpi_weights", "chen_street", 403, method="post", data=WEIGHTS),
    Row("workorders:kpi_weights", "wang_resident", 403, method="post", data=WEIGHTS),
    Row("workorders:kpi_weights", None, 302, method="post", data=WEIGHTS),
    Row("workorders:kpi_weights", "liu_district", 405, note="POST only"),
    *_hotspot_rows("workorders:hotspots", anonymous=302),
]
