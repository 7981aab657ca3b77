from django.urls import include, path
from rest_framework.routers import SimpleRouter

from households.care.api import views

router = SimpleRouter(trailing_slash=True)
router.register("care/alerts", views.AlertViewSet, basename="alert")
router.register("care/away-flags", views.AwayFlagViewSet, basename="awayflag")

urlpatterns = [
    path("meter-readings/", views.MeterReadingsView.as_view(), name="meter-readings"),
    path("", include(router.urls)),
]
