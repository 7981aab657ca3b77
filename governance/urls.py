from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from governance.admin_site import site as admin_site
from governance.notify.views import SmsLoginView

api_v1 = [
    path("", include(("governance.api.urls", "governance"), namespace="governance")),
    path("", include(("households.api.urls", "households"), namespace="households")),
    path("", include(("households.care.api.urls", "care"), namespace="care")),
    path("", include(("workorders.api.urls", "workorders"), namespace="workorders")),
]

urlpatterns = [
    path("admin/", admin_site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("governance.portal_urls")),
    path("", include("governance.notify.urls")),
    path("accounts/sms-login/", SmsLoginView.as_view(), name="sms_login"),
    path("households/", include("households.urls")),
    path("care/", include("households.care.urls")),
    path("orders/", include("workorders.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
