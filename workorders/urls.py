from django.urls import path

from workorders import views
from workorders.kpi import views as kpi_views

app_name = "workorders"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("report/", views.report, name="report"),
    path("nearby/", views.nearby, name="nearby"),
    path("public/", views.public, name="public"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/live/", views.live, name="live"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<int:pk>/plus-one/", views.plus_one, name="plus_one"),
    path("<int:pk>/follow-up/", views.followup, name="followup"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("staff/", views.staff, name="staff"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/act/", views.staff_action, name="staff_action"),
    # KPIs and hot spots (KPI engineer)
    path("kpi/", kpi_views.kpi_page, name="kpi"),
    path("kpi/export/", kpi_views.kpi_export, name="kpi_export"),
    path("kpi/weights/", kpi_views.kpi_weights, name="kpi_weights"),
    path("hotspots/", kpi_views.hotspots_page, name="hotspots"),
]
