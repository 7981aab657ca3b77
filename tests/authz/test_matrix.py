import pytest
from django.urls import NoReverseMatch, get_resolver, reverse

from tests.authz.matrix import all_objects, all_rows

ROWS = all_rows()
OBJECTS = all_objects()


def _url_kwargs(route: str, obj) -> dict:
    """Fill the route's pk-like kwarg with the object's pk."""
    kwargs: dict[str, object] = {}
    if obj is None:
        return kwargs
    for name in ("pk", "object_id", "id"):
        try:
            reverse(route, kwargs={name: obj.pk})
            return {name: obj.pk}
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot put an object into {route}")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_matrix_row(row, world, client_for, api_for):
    get_resolver()  # make sure URLConf is loaded
    obj = OBJECTS[row.obj](world) if row.obj else None
    kwargs = {**_url_kwargs(row.route, obj), **dict(row.kwargs)}
    url = reverse(row.route, kwargs=kwargs or None)
    if row.route.startswith("api:"):
        client = api_for(row.persona)
        response = getattr(client, row.method)(url, row.data or {}, format="json")
    else:
        client = client_for(row.persona)
        response = getattr(client, row.method)(url, row.data or {})
    assert response.status_code == row.expect, (
        f"{row.id}: got {response.status_code} "
        f"{getattr(response, 'data', None) or response.content[:300]!r}"
    )
