"""Matrix rows for the core (governance): regions, departments, me, admin, portal shell."""

from tests.authz.matrix import Row, admin_rows

OBJECTS = {
    "grid_a1": lambda w: w.grids[0],
    "street_b": lambda w: w.streets[1],
    "dept_chengguan": lambda w: w.departments["chengguan"],
}

EXEMPT = {
    "admin:login": "the login page is public by design",
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
    *admin_rows("governance_user", "liu_district", obj="grid_a1", changelist=403, add=403),
    *admin_rows("governance_user", "admin", changelist=200, add=200),
    *admin_rows("governance_auditevent", "liu_district", changelist=200, add=403),
    *admin_rows("governance_auditevent", "zhao_community", changelist=403, add=403),
    *admin_rows("governance_outboxmessage", "admin", changelist=200, add=403),
    *admin_rows("governance_outboxmessage", "liu_district", changelist=403, add=403),
    *admin_rows("governance_notification", "admin", changelist=200, add=403),
    *admin_rows("governance_notification", "zhao_community", changelist=403, add=403),
    *admin_rows("governance_apitoken", "admin", changelist=200, add=200),
    *admin_rows("governance_apitoken", "liu_district", changelist=403, add=403),
    *admin_rows("governance_holiday", "liu_district", changelist=200, add=200),
    *admin_rows("governance_holiday", "li_gridworker", changelist=403, add=403),
    *admin_rows("governance_holidayyear", "liu_district", changelist=200, add=200),
    *admin_rows("governance_officehours", "liu_district", changelist=200, add=200),
    # Portal
    Row("portal:home", None, 200),
    Row("portal:me", None, 302),
    Row("portal:me", "wang_resident", 200),
    Row("password_change", None, 302),
    Row("password_change", "wang_resident", 200),
    Row("password_change_done", "wang_resident", 200),
]
