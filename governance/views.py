"""Portal pages of the core: home, 我的, preferences."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "governance/home.html"


class MeView(LoginRequiredMixin, TemplateView):
    template_name = "governance/me.html"


class LargeTextView(View):
    """Toggle large-text mode (适老化); kept on the user, or in a cookie before login."""

    def post(self, request):
        on = request.POST.get("on") == "1"
        nxt = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            nxt = "/"
        response = HttpResponseRedirect(nxt)
        if request.user.is_authenticated:
            request.user.large_text = on
            request.user.save(update_fields=["large_text"])
        response.set_cookie("large_text", "1" if on else "0", max_age=3600 * 24 * 365, samesite="Lax")
        return response


portal_patterns = [
    path("", HomeView.as_view(), name="home"),
    path("me/", MeView.as_view(), name="me"),
    path("prefs/large-text/", LargeTextView.as_view(), name="large_text"),
]
portal_patterns = [path("", include((portal_patterns, "portal"), namespace="portal"))]
