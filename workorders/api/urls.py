from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from workorders.api import views
from workorders.kpi import api as kpi_views

router = SimpleRouter(trailing_slash=True)
router.register("orders", views.OrderViewSet, basename="order")
router.register("order-applications", views.ApplicationViewSet, basename="application")
router.register("order-categories", views.CategoryViewSet, basename="category")
router.register("order-request-types", views.RequestTypeViewSet, basename="request-type")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
# KPIs, weights and hot spots (KPI engineer)
urlpatterns += [
    path("orders-kpi/", kpi_views.KpiView.as_view(), name="orders-kpi"),
    path("orders-kpi/export/", kpi_views.KpiExportView.as_view(), name="orders-kpi-export"),
    path("orders-kpi/weights/", kpi_views.KpiWeightsView.as_view(), name="orders-kpi-weights"),
    path("orders-hotspots/", kpi_views.HotspotsView.as_view(), name="orders-hotspots"),
]
