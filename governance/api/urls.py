from django.urls import include, path
from rest_framework.routers import DefaultRouter

from governance.api import notify, publicity, views, votes

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("councils", views.CouncilViewSet, basename="council")
router.register("notifications", notify.NotificationViewSet, basename="notification")
router.register("votes", votes.VoteViewSet, basename="vote")
router.register("publicity", publicity.PublicityViewSet, basename="publicity")
router.register("objections", publicity.ObjectionViewSet, basename="objection")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("auth/sms-code/", notify.SmsCodeRequestView.as_view(), name="sms-code"),
    path("auth/sms-login/", notify.SmsLoginView.as_view(), name="sms-login"),
    path("", include(router.urls)),
]
