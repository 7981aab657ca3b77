"""No resident's ID number or mobile is readable in any column of the database — except the
login mobile of an account (issue 12 item 16). The demo world plus an order filed by phone and
a person on file are scanned column by column: text, JSON, everything."""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.db import models

from governance import access

MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")  # not inside a hash or a token
ID18 = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
ALLOWED = {("governance.user", "mobile")}  # the login identifier (PIPL: the account's own)


def _readable(world):
    found = []
    for model in apps.get_models():
        label = model._meta.label_lower
        columns = [f.attname for f in model._meta.concrete_fields
                   if isinstance(f, models.CharField | models.TextField | models.JSONField)
                   and (label, f.attname) not in ALLOWED]
        if not columns:
            continue
        for row in model._default_manager.values_list("pk", *columns).iterator():
            for column, value in zip(columns, row[1:], strict=True):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if text and (MOBILE.search(text) or ID18.search(text)):
                    found.append(f"{label}.{column} (pk {row[0]}): {text[:60]}")
    return found


@pytest.mark.django_db
def test_no_resident_id_or_mobile_is_readable_at_rest(world):
    from django.core.management import call_command

    from households.services import person_create
    from tests.households.conftest import flat, make_id
    from tests.workorders.conftest import grid_point
    from workorders import services
    from workorders.models import Category, WorkOrder
    from workorders.reference import load_defaults

    call_command("seed_demo", "--quiet-accounts", stdout=open("/dev/null", "w"))  # every app's demo rows
    load_defaults()
    household = flat(world.grids[0], "和平里东街1号")
    person_create(household=household, name="张桂英", id_number=make_id(seq=1), phones=["13912345678"], actor=access.system())
    lon, lat = grid_point(world.grids[0])
    order = services.order_report(actor=world.users["zhao_community"], channel="phone", contact_name="李先生",
                                  contact_phone="13911112222", category=Category.objects.get(kind="event", code="0102"),
                                  description="楼道灯坏了，电话反映", lon=lon, lat=lat)
    assert WorkOrder.objects.get(pk=order.pk).contact_phone == "13911112222"  # readable through the property only
    assert _readable(world) == []
