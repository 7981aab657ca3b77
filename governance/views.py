"""Portal pages of the core: home, 我的 (me), and the two preferences (large text, language).

Pages of other apps are linked by URL name and only when that route exists, so the shell
works while the apps are built around it (see `governance.selectors.portal_links`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django.views.i18n import set_language

from governance import publicity, selectors, services, votes
from governance.errors import DomainError

if TYPE_CHECKING:
    from django.urls import URLPattern, URLResolver

    from governance.models import User

LARGE_TEXT_COOKIE = "large_text"
ONE_YEAR = 3600 * 24 * 365


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
        ctx["cards"] = selectors.portal_links(user)
        ctx["is_staff_user"] = "staff" in selectors.audiences(user)
        return ctx


class MeView(LoginRequiredMixin, TemplateView):
    """我的: profile, roles and where they apply, preferences, links to the user's own things."""

    template_name = "governance/me.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = cast("User", self.request.user)  # LoginRequiredMixin: never anonymous here
        ctx["assignments"] = user.active_assignments
        ctx["cards"] = [c for c in selectors.portal_links(user) if c["name"] != "admin:index" or user.is_staff]
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
        if request.user.is_authenticated:
            services.preferences_set(request.user, large_text=on)
        response = HttpResponseRedirect(safe_next(request))
        response.set_cookie(LARGE_TEXT_COOKIE, "1" if on else "0", max_age=ONE_YEAR, samesite="Lax",
                            secure=request.is_secure(), httponly=True)
        return response


@receiver(user_logged_in, dispatch_uid="portal_large_text_on_login")
def keep_large_text_through_login(sender, request, user, **kwargs):
    """Someone who turned large text on before logging in keeps it: the page must not shrink
    under an elderly resident's eyes the moment they log in."""
    if request is not None and request.COOKIES.get(LARGE_TEXT_COOKIE) == "1":
        services.preferences_set(user, large_text=True)


class LanguageView(View):
    """Django's `set_language` (cookie + redirect), and for a logged-in user the choice is
    saved on the account so it follows them to another phone."""

    http_method_names = ["post"]

    def post(self, request) -> HttpResponse:
        response = set_language(request)
        code = request.POST.get("language")
        if request.user.is_authenticated and code and check_for_language(code) and code in dict(settings.LANGUAGES):
            services.preferences_set(request.user, language=code)
        return response


class VotesView(LoginRequiredMixin, TemplateView):
    """The votes a person is an elector of (once announced), newest first."""

    template_name = "governance/votes.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = selectors.my_votes(self.request.user)
        return ctx


class VoteView(LoginRequiredMixin, View):
    """One vote: the question, the rule in words, the dates, my ballot (three large buttons
    while it is open) and, once published, the result with its arithmetic."""

    def _page(self, request, vote, status=200):
        return render(request, "governance/vote.html", selectors.vote_page(request.user, vote), status=status)

    def get(self, request, pk):
        return self._page(request, selectors.vote_for(request.user, pk))

    def post(self, request, pk):
        vote = selectors.vote_for(request.user, pk)
        try:
            votes.ballot_cast(vote=vote, actor=request.user, choice=request.POST.get("choice", ""))
        except DomainError as exc:
            messages.error(request, str(exc.fields.get("choice", [exc.message])[0]))
            return self._page(request, vote, status=exc.status_code)
        messages.success(request, _("Your ballot is recorded."))
        return HttpResponseRedirect(reverse("portal:vote", kwargs={"pk": vote.pk}))


class PublicityListView(LoginRequiredMixin, TemplateView):
    """公示: what is published where the person lives (or works), running ones first."""

    template_name = "governance/publicity_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = selectors.publicity_for(self.request.user)
        return ctx


class PublicityView(LoginRequiredMixin, View):
    """One publicity: its items, the period, the person's objections with their answers, and
    while it runs a form to object to one item or to the whole list."""

    def _page(self, request, pub, status=200, form_error=""):
        ctx = selectors.publicity_page(request.user, pub)
        ctx["form_error"] = form_error
        return render(request, "governance/publicity.html", ctx, status=status)

    def get(self, request, pk):
        return self._page(request, selectors.publicity_get(request.user, pk))

    def post(self, request, pk):
        pub = selectors.publicity_get(request.user, pk)
        item = None
        if request.POST.get("item"):
            item = pub.items.filter(pk=request.POST["item"]).first() if request.POST["item"].isdigit() else None
            if item is None:
                return self._page(request, pub, status=400, form_error=_("Choose an item from the list."))
        try:
            publicity.objection_raise(publicity=pub, actor=request.user, item=item,
                                      reason=request.POST.get("reason", ""))
        except DomainError as exc:
            message = exc.fields.get("reason", [exc.message])[0]
            return self._page(request, pub, status=exc.status_code, form_error=str(message))
        messages.success(request, _("Your objection is recorded; the community will answer it."))
        return HttpResponseRedirect(reverse("portal:publicity", kwargs={"pk": pub.pk}))


_patterns = [
    path("", HomeView.as_view(), name="home"),
    path("me/", MeView.as_view(), name="me"),
    path("prefs/large-text/", LargeTextView.as_view(), name="large_text"),
    path("prefs/language/", LanguageView.as_view(), name="language"),
    path("votes/", VotesView.as_view(), name="votes"),
    path("votes/<int:pk>/", VoteView.as_view(), name="vote"),
    path("publicity/", PublicityListView.as_view(), name="publicity_list"),
    path("publicity/<int:pk>/", PublicityView.as_view(), name="publicity"),
]
portal_patterns: list[URLPattern | URLResolver] = [path("", include((_patterns, "portal"), namespace="portal"))]
