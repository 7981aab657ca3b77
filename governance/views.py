"""Portal pages of the core: home, 我的 (me), and the two preferences (large text, language).

Pages of other apps are linked by URL name and only when that route exists, so the shell
works while the apps are built around it (see `portal_links`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from django.views.i18n import set_language

from governance import access
from governance.roles import DEPARTMENT_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from django.urls import URLPattern, URLResolver
    from django_stubs_ext import StrOrPromise

    from governance.models import User

LARGE_TEXT_COOKIE = "large_text"
ONE_YEAR = 3600 * 24 * 365


@dataclass(frozen=True)
class PortalLink:
    """A card on the home / me page. `url_name` may name a route another app has not built yet."""

    url_name: str
    title: StrOrPromise
    text: StrOrPromise
    audience: str  # "resident" | "newcomer" (no role yet) | "staff" | "department" | "everyone"


# Residents: the things they come for. Staff: the back office and their phone pages.
PORTAL_LINKS = [
    PortalLink("workorders:report", _("Report a problem"),
               _("A broken street light, rubbish, noise, a leak: send a photo and where it is."), "resident"),
    PortalLink("workorders:mine", _("My reports"),
               _("Follow what you reported, step by step, and say whether it was solved."), "resident"),
    PortalLink("households:mine", _("My household"),
               _("Check your household file and your family's care contacts."), "resident"),
    PortalLink("workorders:public", _("Problems in my community"),
               _("What neighbours have reported and how far each one has got."), "resident"),
    PortalLink("households:register", _("Register as a resident"),
               _("Tell your community who you are and where you live; staff confirm it."), "newcomer"),
    PortalLink("notify:inbox", _("Messages"), _("Notices, and updates on what you reported or follow."),
               "everyone"),
    PortalLink("admin:index", _("Back office"),
               _("Household files, work orders and everything in your area, for staff."), "staff"),
    PortalLink("workorders:staff", _("Work orders on my phone"),
               _("The orders of your grid or department, for when you are out and about."), "staff"),
    PortalLink("households:staff", _("Households and visits"),
               _("Buildings, households and the visits that are due in your area."), "staff"),
    PortalLink("care:alerts", _("Care alerts"),
               _("Elderly people living alone whose meters look unusual: who needs a call or a visit."), "staff"),
    PortalLink("api-docs", _("API documentation"),
               _("How department systems and devices talk to Linli (OpenAPI)."), "department"),
]


def _resolve(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def audiences(user) -> set[str]:
    """Which groups of cards a user sees: residents' cards for everyone who is not staff."""
    if not user.is_authenticated:
        return set()
    roles = {a.role for a in access.assignments(user)}
    groups = {"everyone"}
    if user.is_superuser or roles & STAFF_ROLES:
        groups.add("staff")
    if roles & DEPARTMENT_ROLES or user.is_service_account:
        groups.add("department")
    if Role.RESIDENT in roles or "staff" not in groups:
        groups.add("resident")
    if not roles and not user.is_superuser:
        groups.add("newcomer")
    return groups


def portal_links(user) -> list[dict]:
    """The cards this user should see, with their URLs; routes that do not exist yet are left out."""
    groups = audiences(user)
    cards = []
    for link in PORTAL_LINKS:
        if link.audience not in groups:
            continue
        url = _resolve(link.url_name)
        if url:
            cards.append({"name": link.url_name, "url": url, "title": link.title, "text": link.text,
                          "audience": link.audience})
    return cards


def safe_next(request: HttpRequest, default: str = "/") -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or request.META.get("HTTP_REFERER") or default
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return default
    return nxt


class HomeView(TemplateView):
    """What Linli does, and where to go from here according to who you are."""

    template_name = "governance/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["cards"] = portal_links(user)
        ctx["is_staff_user"] = "staff" in audiences(user)
        return ctx


class MeView(LoginRequiredMixin, TemplateView):
    """我的: profile, roles and where they apply, preferences, links to the user's own things."""

    template_name = "governance/me.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = cast("User", self.request.user)  # LoginRequiredMixin: never anonymous here
        ctx["assignments"] = user.active_assignments
        ctx["cards"] = [c for c in portal_links(user) if c["name"] != "admin:index" or user.is_staff]
        ctx["language_name"] = dict(settings.LANGUAGES).get(user.language or "", "")
        return ctx


class LargeTextView(View):
    """Large-text mode (适老化). Kept on the user when logged in, and in a cookie so the
    mode also holds before login and after logout on this device.

    POST on=1 / on=0 sets it; without `on` it toggles. Works without JavaScript."""

    http_method_names = ["post"]

    def post(self, request):
        current = (request.user.large_text if request.user.is_authenticated
                   else request.COOKIES.get(LARGE_TEXT_COOKIE) == "1")
        value = request.POST.get("on")
        on = (not current) if value not in ("0", "1") else value == "1"
        if request.user.is_authenticated and request.user.large_text != on:
            request.user.large_text = on
            request.user.save(update_fields=["large_text"])
        response = HttpResponseRedirect(safe_next(request))
        response.set_cookie(LARGE_TEXT_COOKIE, "1" if on else "0", max_age=ONE_YEAR, samesite="Lax",
                            secure=request.is_secure(), httponly=True)
        return response


@receiver(user_logged_in, dispatch_uid="portal_large_text_on_login")
def keep_large_text_through_login(sender, request, user, **kwargs):
    """Someone who turned large text on before logging in keeps it: the page must not shrink
    under an elderly resident's eyes the moment they log in."""
    if request is not None and request.COOKIES.get(LARGE_TEXT_COOKIE) == "1" and not user.large_text:
        user.large_text = True
        user.save(update_fields=["large_text"])


class LanguageView(View):
    """Django's `set_language` (cookie + redirect), and for a logged-in user the choice is
    saved on the account so it follows them to another phone."""

    http_method_names = ["post"]

    def post(self, request) -> HttpResponse:
        response = set_language(request)
        code = request.POST.get("language")
        if request.user.is_authenticated and code and check_for_language(code) \
                and code in dict(settings.LANGUAGES) and request.user.language != code:
            request.user.language = code
            request.user.save(update_fields=["language"])
        return response


_patterns = [
    path("", HomeView.as_view(), name="home"),
    path("me/", MeView.as_view(), name="me"),
    path("prefs/large-text/", LargeTextView.as_view(), name="large_text"),
    path("prefs/language/", LanguageView.as_view(), name="language"),
]
portal_patterns: list[URLPattern | URLResolver] = [path("", include((_patterns, "portal"), namespace="portal"))]
