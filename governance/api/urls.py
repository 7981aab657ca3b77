from django.urls import include, path
from rest_framework.routers import DefaultRouter

from governance.api import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("departments", views.DepartmentViewSet, basename="department")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
