from django.urls import include, path
from rest_framework.routers import SimpleRouter

from workorders.api import views

router = SimpleRouter(trailing_slash=True)
router.register("orders", views.OrderViewSet, basename="order")
router.register("order-applications", views.ApplicationViewSet, basename="application")
router.register("order-categories", views.CategoryViewSet, basename="category")
router.register("order-request-types", views.RequestTypeViewSet, basename="request-type")

urlpatterns = [path("", include(router.urls))]
