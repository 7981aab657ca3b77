"""The one writer of spreadsheets that leave Linli (台账, KPI reports): formula-safe and audited.

A cell a spreadsheet would read as a formula — text beginning with =, +, -, @, a tab or a carriage
return — is written as text, never a formula (CSV/formula injection: a resident named
`=HYPERLINK("http://…")` came out live in an export). In .xlsx such a cell is typed as a string
(Excel shows it as typed and never evaluates it); in CSV it gets the leading apostrophe OWASP
recommends, which spreadsheet programs hide. Numbers, dates and booleans stay what they are.
Every export writes one audit event in the same call, so there is no unaudited way out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from governance import audit

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _local(value: Any) -> Any:
    """A time with a zone is written as the reader's local time (Asia/Shanghai), not UTC; Excel
    keeps no zone, and openpyxl refuses an aware one."""
    import datetime as dt

    from django.utils import timezone

    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)
    return value


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    value = _local(value)
    return "'" + value if is_formula_like(value) else value


def _xlsx_cell(ws, value: Any):
    from openpyxl.cell import WriteOnlyCell

    value = _local(value)
    cell = WriteOnlyCell(ws, value="" if value is None else value)
    if is_formula_like(value):
        cell.data_type = "s"  # openpyxl would store it as a formula otherwise
    return cell


def write_xlsx(sheets: dict[str, Iterable[Sequence[Any]]], *, actor, action: str, purpose: str = "",
               region=None, data: dict | None = None, bold_rows: Sequence[int] = (),
               freeze: str | None = None) -> bytes:
    """One workbook, one sheet per entry (rows of plain values), and its audit event. `bold_rows`
    are 1-based row numbers to set in bold (headers); `freeze` a cell like "B5"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    counts = {}
    for name, rows in sheets.items():
        ws = wb.create_sheet(name[:31])
        if freeze:
            ws.freeze_panes = freeze
        n = 0
        for n, row in enumerate(rows, start=1):
            cells = [_xlsx_cell(ws, v) for v in row]
            if n in bold_rows:
                for c in cells:
                    c.font = Font(bold=True)
            ws.append(cells)
        counts[name] = n
    buf = io.BytesIO()
    wb.save(buf)
    audit.record(actor=actor, action=action, region=region, purpose=purpose, data={**(data or {}), "rows": counts})
    return buf.getvalue()


def write_csv(rows: Iterable[Sequence[Any]], *, actor, action: str, purpose: str = "", region=None,
              data: dict | None = None) -> bytes:
    """UTF-8 with a BOM (so Excel in a Chinese office opens it right), formula-safe, audited."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    n = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        n += 1
    audit.record(actor=actor, action=action, region=region, purpose=purpose, data={**(data or {}), "rows": n})
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
