"""Matrix rows for the core (governance): regions, departments, me, admin, portal shell."""

from tests.authz.matrix import Row, admin_rows


def _audit_event(w):
    from governance.models import AuditEvent

    return AuditEvent.objects.create(action="test", region=w.grids[0], region_path=w.grids[0].path)


def _outbox(w):
    from governance.models import OutboxMessage

    return OutboxMessage.objects.create(topic="test", url="http://127.0.0.1:9/hook", payload={})


def _endpoint(w):
    from governance import access, outbox

    return outbox.endpoint_create(actor=access.system(), name="城市运行平台", url="http://127.0.0.1:9/hook",
                                  owner_name="市城运中心")[0]


def _notification(w):
    from governance.models import Notification

    return Notification.objects.create(user=w.users["wang_resident"], title="测试")


def _token(w):
    from governance.models import ApiToken

    return ApiToken.issue(name="test", user=w.users["shui_utility"])[0]


def _holiday(w):
    import datetime

    from governance.models import Holiday

    return Holiday.objects.get_or_create(date=datetime.date(2030, 1, 1), defaults={"kind": "holiday", "name": "元旦"})[0]


def _holiday_year(w):
    from governance.models import HolidayYear

    return HolidayYear.objects.get_or_create(year=2030)[0]


def _office_hours(w):
    from governance.models import OfficeHours

    return OfficeHours.objects.create(name="夏季", valid_from_month_day="05-01", periods=[["08:30", "12:00"]])


OBJECTS = {
    "grid_a1": lambda w: w.grids[0],
    "street_b": lambda w: w.streets[1],
    "dept_chengguan": lambda w: w.departments["chengguan"],
    "user_wang": lambda w: w.users["wang_resident"],
    "audit_event_a1": _audit_event,
    "outbox_message": _outbox,
    "webhook_endpoint": _endpoint,
    "notification_wang": _notification,
    "api_token": _token,
    "holiday_2030": _holiday,
    "holiday_year_2030": _holiday_year,
    "office_hours": _office_hours,
}

EXEMPT = {
    "admin:login": "the login page is public by design",
    "favicon": "a redirect to a public static file",
    "admin:logout": "logout works for anyone",
    "admin:jsi18n": "admin's JavaScript catalogue, no data",
    "admin:view_on_site": "redirects to the object's own page, which has its own rows",
    "admin:password_change": "a logged-in staff member's own password",
    "admin:password_change_done": "a confirmation page",
    "admin:autocomplete": "answers through each model admin's scoped get_queryset (rows below)",
    "admin:app_list": "lists the models the user's roles may view (covered by changelist rows)",
    "admin:auth_user_password_change": "superuser-only user admin (covered by governance_user rows)",
    "login": "the login page is public by design",
    "logout": "logout works for anyone",
    "portal:large_text": "a preference toggle (POST), tested in tests/governance",
    "api:governance:api-root": "the browsable API root lists route names only",
}

ROWS = [
    # API: regions
    Row("api:governance:region-list", None, 401),
    Row("api:governance:region-list", "li_gridworker", 200),
    Row("api:governance:region-detail", "li_gridworker", 200, obj="grid_a1"),
    Row("api:governance:region-detail", "wu_gridworker", 404, obj="grid_a1"),
    Row("api:governance:region-detail", "chen_street", 200, obj="grid_a1"),
    Row("api:governance:region-detail", "zhou_outsider", 404, obj="grid_a1"),
    Row("api:governance:region-detail", "zhou_outsider", 200, obj="street_b"),
    Row("api:governance:region-detail", "sun_department", 404, obj="grid_a1"),
    Row("api:governance:region-detail", "liu_district", 200, obj="street_b"),
    # API: departments
    Row("api:governance:department-list", None, 401),
    Row("api:governance:department-list", "sun_department", 200),
    Row("api:governance:department-detail", "sun_department", 200, obj="dept_chengguan"),
    Row("api:governance:department-detail", "li_gridworker", 200, obj="dept_chengguan"),
    Row("api:governance:department-detail", "xu_merchant", 404, obj="dept_chengguan"),
    # API: me
    Row("api:governance:me", None, 401),
    Row("api:governance:me", "wang_resident", 200),
    # Admin
    Row("admin:index", None, 302),
    Row("admin:index", "wang_resident", 302, note="residents have no back office"),
    Row("admin:index", "li_gridworker", 200),
    *admin_rows("governance_region", "li_gridworker", obj="grid_a1", changelist=200, add=403, change=200,
                delete=403, history=200),
    *admin_rows("governance_region", "wu_gridworker", obj="grid_a1", changelist=200, add=403, change=404,
                delete=404, history=404),
    *admin_rows("governance_region", "liu_district", obj="grid_a1", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("governance_department", "liu_district", obj="dept_chengguan", changelist=200, add=200,
                change=200, delete=403, history=200),
    *admin_rows("governance_department", "wang_resident", obj="dept_chengguan", changelist=302, add=302,
                change=302, delete=302, history=302),
    *admin_rows("governance_user", "liu_district", obj="user_wang", changelist=403, add=403, change=403,
                delete=403, history=403),
    *admin_rows("governance_user", "admin", obj="user_wang", changelist=200, add=200, change=200, delete=200,
                history=200),
    *admin_rows("governance_auditevent", "liu_district", obj="audit_event_a1", changelist=200, add=403, change=200,
                delete=403, history=200),
    *admin_rows("governance_auditevent", "zhao_community", obj="audit_event_a1", changelist=403, add=403,
                change=403, delete=403, history=403),
    *admin_rows("governance_outboxmessage", "admin", obj="outbox_message", changelist=200, add=403, change=200,
                delete=200, history=200),
    *admin_rows("governance_outboxmessage", "liu_district", obj="outbox_message", changelist=200, add=403,
                change=200, delete=403, history=200),
    *admin_rows("governance_outboxmessage", "chen_street", obj="outbox_message", changelist=403, add=403,
                change=403, delete=403, history=403),
    *admin_rows("governance_webhookendpoint", "liu_district", obj="webhook_endpoint", changelist=200, add=200,
                change=200, delete=403, history=200),
    *admin_rows("governance_webhookendpoint", "admin", obj="webhook_endpoint", changelist=200, add=200,
                change=200, delete=200, history=200),
    *admin_rows("governance_webhookendpoint", "zhao_community", obj="webhook_endpoint", changelist=403, add=403,
                change=403, delete=403, history=403),
    *admin_rows("governance_notification", "admin", obj="notification_wang", changelist=200, add=403, change=200,
                delete=403, history=200),
    *admin_rows("governance_notification", "zhao_community", obj="notification_wang", changelist=403, add=403,
                change=403, delete=403, history=403),
    *admin_rows("governance_apitoken", "admin", obj="api_token", changelist=200, add=200, change=200, delete=200,
                history=200),
    *admin_rows("governance_apitoken", "liu_district", obj="api_token", changelist=403, add=403, change=403,
                delete=403, history=403),
    *admin_rows("governance_holiday", "liu_district", obj="holiday_2030", changelist=200, add=200, change=200,
                delete=200, history=200),
    *admin_rows("governance_holiday", "li_gridworker", obj="holiday_2030", changelist=403, add=403, change=403,
                delete=403, history=403),
    *admin_rows("governance_holidayyear", "liu_district", obj="holiday_year_2030", changelist=200, add=200,
                change=200, delete=200, history=200),
    *admin_rows("governance_holidayyear", "chen_street", obj="holiday_year_2030", changelist=403, add=403,
                change=403, delete=403, history=403),
    *admin_rows("governance_officehours", "liu_district", obj="office_hours", changelist=200, add=200,
                change=200, delete=200, history=200),
    *admin_rows("governance_officehours", "zhao_community", obj="office_hours", changelist=403, add=403,
                change=403, delete=403, history=403),
    # The OpenAPI schema and its docs are public: they describe the API, not its data.
    Row("schema", None, 200),
    Row("api-docs", None, 200),
    # Portal
    Row("portal:home", None, 200),
    Row("portal:me", None, 302),
    Row("portal:me", "wang_resident", 200),
    Row("password_change", None, 302),
    Row("password_change", "wang_resident", 200),
    Row("password_change_done", "wang_resident", 200),
]
