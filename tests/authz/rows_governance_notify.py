"""Matrix rows for the core's notification inbox, SMS-code login and holiday import."""

from tests.authz.matrix import Row


def _wang_notification(world):
    from governance.notify.services import notify

    return notify(user=world.users["wang_resident"], title="测试通知", url="/me/")


OBJECTS = {
    "governance_notify_wang_notification": _wang_notification,
}

EXEMPT: dict[str, str] = {}

N = "governance_notify_wang_notification"

ROWS = [
    # API: own inbox only (someone else's notification is a 404, as if missing)
    Row("api:governance:notification-list", None, 401),
    Row("api:governance:notification-list", "wang_resident", 200),
    Row("api:governance:notification-list", "li_gridworker", 200, note="everyone has an inbox"),
    Row("api:governance:notification-read", None, 401, obj=N, method="post"),
    Row("api:governance:notification-read", "wang_resident", 200, obj=N, method="post"),
    Row("api:governance:notification-read", "feng_resident", 404, obj=N, method="post"),
    Row("api:governance:notification-read", "admin", 404, obj=N, method="post", note="not even a superuser"),
    Row("api:governance:notification-read-all", None, 401, method="post"),
    Row("api:governance:notification-read-all", "wang_resident", 200, method="post"),
    # API: SMS-code login is public by design; same answer for unknown numbers
    Row("api:governance:sms-code", None, 202, method="post", data={"mobile": "13700000099"}),
    Row("api:governance:sms-code", None, 400, method="post", data={"mobile": "123"}),
    Row("api:governance:sms-login", None, 400, method="post", data={"mobile": "13800000001", "code": "000000"}),
    # Portal: inbox
    Row("notify:inbox", None, 302),
    Row("notify:inbox", "wang_resident", 200),
    Row("notify:read", None, 302, obj=N, method="post"),
    Row("notify:read", "wang_resident", 302, obj=N, method="post", note="back to the inbox"),
    Row("notify:read", "feng_resident", 404, obj=N, method="post"),
    Row("notify:read_all", None, 302, method="post"),
    Row("notify:read_all", "wang_resident", 302, method="post"),
    Row("sms_login", None, 200),
    # Admin: the holiday CSV import (district administrators)
    Row("admin:governance_holiday_import", None, 302),
    Row("admin:governance_holiday_import", "liu_district", 200),
    Row("admin:governance_holiday_import", "li_gridworker", 403),
    Row("admin:governance_holiday_import", "wang_resident", 302, note="residents have no back office"),
]
