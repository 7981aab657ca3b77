from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from governance.admin_site import site as admin_site
from governance.notify.views import SmsLoginView
from governance.views import LanguageView

api_v1 = [
    path("", include(("governance.api.urls", "governance"), namespace="governance")),
    path("", include(("households.api.urls", "households"), namespace="households")),
    path("", include(("households.care.api.urls", "care"), namespace="care")),
    path("", include(("workorders.api.urls", "workorders"), namespace="workorders")),
]

class FaviconView(RedirectView):
    """Browsers ask /favicon.ico of every page: the icon is a static file (hashed, cached long)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.ico")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("admin/", admin_site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # Django's set_language, which also saves the choice on a logged-in user's account.
    path("i18n/setlang/", LanguageView.as_view(), name="set_language"),
    path("", include("governance.portal_urls")),
    path("", include("governance.notify.urls")),
    path("accounts/sms-login/", SmsLoginView.as_view(), name="sms_login"),
    path("households/", include("households.urls")),
    path("care/", include("households.care.urls")),
    path("orders/", include("workorders.urls")),
]
# Media is not served as public files, even in the demo: uploads hold personal data (complaint
# photos, import files), so each app serves its files through a view that checks access.

handler400 = "governance.error_pages.bad_request"
handler403 = "governance.error_pages.permission_denied"
handler404 = "governance.error_pages.page_not_found"
handler500 = "governance.error_pages.server_error"
