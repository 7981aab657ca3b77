"""Portal pages: the notification inbox and the SMS-code login."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from governance.errors import DomainError, NotFound
from governance.middleware import client_ip
from governance.notify import otp, selectors, services
from governance.notify.forms import SmsLoginForm

SENT_MESSAGE, WRONG_CODE = otp.SENT_MESSAGE, otp.WRONG_CODE


class InboxView(LoginRequiredMixin, View):
    def get(self, request):
        page = Paginator(selectors.inbox(request.user), 30).get_page(request.GET.get("page"))
        return render(request, "governance/inbox.html", {"page": page})


class MarkReadView(LoginRequiredMixin, View):
    def post(self, request, pk):
        try:
            notification = services.notification_mark_read(notification_id=pk, actor=request.user)
        except NotFound as exc:
            raise Http404 from exc
        if request.POST.get("go") and notification.url and url_has_allowed_host_and_scheme(
                notification.url, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(notification.url)
        return redirect("notify:inbox")


class MarkAllReadView(LoginRequiredMixin, View):
    def post(self, request):
        count = services.notification_mark_all_read(actor=request.user)
        messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
        return redirect("notify:inbox")


class SmsLoginView(View):
    """Step 1: mobile → "send code". Step 2: mobile + code → logged in."""

    template_name = "registration/sms_login.html"

    def _next(self, request):
        nxt = request.POST.get("next") or request.GET.get("next") or ""
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
            return nxt
        return ""

    def get(self, request):
        return render(request, self.template_name, {"form": SmsLoginForm(), "next": self._next(request)})

    def post(self, request):
        form = SmsLoginForm(request.POST)
        context = {"form": form, "next": self._next(request), "code_sent": False}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        mobile = form.cleaned_data["mobile"]
        if request.POST.get("action") == "send":
            try:
                otp.request_login_code(mobile=mobile, ip=client_ip(request))
            except DomainError as exc:
                if exc.fields:
                    for field, errors in exc.fields.items():
                        for error in errors:
                            form.add_error(field if field in form.fields else None, error)
                else:
                    form.add_error(None, exc.message)
                return render(request, self.template_name, context, status=exc.status_code)
            messages.info(request, SENT_MESSAGE)
            context["code_sent"] = True
            return render(request, self.template_name, context)
        code = form.cleaned_data.get("code") or ""
        user = authenticate(request, username=mobile, mobile=mobile, sms_code=code) if code else None
        if user is None:
            form.add_error("code", WRONG_CODE)
            context["code_sent"] = True
            return render(request, self.template_name, context, status=400)
        login(request, user, backend="governance.auth.SmsCodeBackend")
        return HttpResponseRedirect(context["next"] or resolve_url(settings.LOGIN_REDIRECT_URL))
