"""Hidden ids cannot be told from missing ones on input (issue 12 item 4): a related id in a
request body that names a row the caller may not see gets exactly the answer an id that was
never used gets — status, code, fields, message (the number aside)."""

from __future__ import annotations

import pytest

from governance import access
from tests.authz.rows_workorders import _accepted


def _persons(world):
    from households.services import person_create
    from tests.households.conftest import flat

    a1 = person_create(household=flat(world.grids[0], "和平里东街1号"), name="张桂英", actor=access.system())
    b = person_create(household=flat(world.grids[6], "安华西里3号"), name="冯建华", actor=access.system())
    return a1, b


def _same_answer(hidden, missing, hidden_id, missing_id):
    assert hidden.status_code == missing.status_code == 400, (hidden.content, missing.content)
    a = hidden.content.decode().replace(str(hidden_id), "ID")
    b = missing.content.decode().replace(str(missing_id), "ID")
    assert a == b


MISSING = 987654321


def test_visit_for_a_person_of_another_community(world, api_for):
    _a1, b = _persons(world)
    api = api_for("li_gridworker")
    post = lambda pk: api.post("/api/v1/households/visits/", {"person": pk, "findings": "良好"}, format="json")  # noqa: E731
    _same_answer(post(b.pk), post(MISSING), b.pk, MISSING)


def test_care_contact_for_a_person_of_another_community(world, api_for):
    _a1, b = _persons(world)
    api = api_for("zhao_community")
    post = lambda pk: api.post("/api/v1/households/care-contacts/", {  # noqa: E731
        "person": pk, "name": "张丽", "relation": "女儿", "phone": "13700001111"}, format="json")
    _same_answer(post(b.pk), post(MISSING), b.pk, MISSING)


@pytest.mark.parametrize("field", ["region", "user"])
def test_dispatch_to_a_target_of_another_street(world, api_for, field):
    order = _accepted(world)
    hidden = {"region": world.grids[6].pk, "user": world.users["zhou_outsider"].pk}[field]  # street B
    api = api_for("chen_street")
    post = lambda pk: api.post(f"/api/v1/orders/{order.pk}/dispatch/", {field: pk, "reason": "就近"},  # noqa: E731
                               format="json")
    _same_answer(post(hidden), post(MISSING), hidden, MISSING)


def test_import_into_a_community_of_another_street(world, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = api_for("zhao_community")
    post = lambda pk: api.post("/api/v1/households/imports/", {  # noqa: E731
        "file": SimpleUploadedFile("p.csv", "姓名,证件号码,地址,楼号,门牌号\n".encode()), "region": pk},
        format="multipart")
    hidden = world.communities[2].pk
    _same_answer(post(hidden), post(MISSING), hidden, MISSING)
