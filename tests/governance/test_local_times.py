"""Every time a person reads is Asia/Shanghai time (issue 14 item 5): model names shown in admin
lists and the back office's deadline column rendered UTC — 8 hours early, the day before at night."""

import datetime as dt

import pytest

from governance.models import AuditEvent, OutboxDelivery, SmsCode

pytestmark = pytest.mark.django_db

UTC_EVENING = dt.datetime(2026, 12, 6, 20, 30, tzinfo=dt.UTC)  # 2026-12-07 04:30 in Beijing
LOCAL = "2026-12-07 04:30"


def test_names_of_timed_rows_are_local():
    from households.care.models import AlertEvent, AwayFlag, Reading
    from households.models import Person, Visit

    rows = [AuditEvent(at=UTC_EVENING, action="x"), OutboxDelivery(at=UTC_EVENING, status_code=200),
            SmsCode(purpose="login", created_at=UTC_EVENING), AlertEvent(at=UTC_EVENING, action="raised"),
            Reading(meter_id=1, ts=UTC_EVENING, value=1)]
    for row in rows:
        assert LOCAL in str(row), type(row).__name__
    assert str(Visit(visited_at=UTC_EVENING, person=Person(name="张三"))).startswith("2026-12-07")
    flag = AwayFlag(person=Person(name="张三"), starts_at=UTC_EVENING, ends_at=UTC_EVENING + dt.timedelta(days=1))
    assert "2026-12-07 – 2026-12-08" in str(flag)


def test_the_back_offices_deadline_column_is_local(world):
    from governance.admin_site import site
    from workorders.admin import WorkOrderAdmin
    from workorders.models import WorkOrder

    admin = site._registry[WorkOrder]
    assert isinstance(admin, WorkOrderAdmin)
    order = WorkOrder(due_at=UTC_EVENING, status="dispatched")
    assert "12-07 04:30" in str(admin.deadline(order))


def test_exports_write_local_times(world):
    import io

    from openpyxl import load_workbook

    from governance import access, exports

    body = exports.write_xlsx({"t": [["at"], [UTC_EVENING]]}, actor=access.system(), action="test.export")
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    assert ws["A2"].value == dt.datetime(2026, 12, 7, 4, 30)
    assert exports.csv_cell(UTC_EVENING) == dt.datetime(2026, 12, 7, 4, 30)
