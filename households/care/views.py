"""Portal pages: the live list of open alerts (pushed over Channels, see consumers.py; htmx polling
while the socket is down), the ladder on a phone, away periods. Thin: every write is a service
call; DomainErrors are shown as messages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import access
from governance.errors import DomainError, Forbidden, NotFound
from households.care import selectors, services
from households.care.forms import AwayForm, ResolveForm, VisitForm
from households.care.models import Alert, AwayFlag

LIVE_SECONDS = 15


@login_required
def alert_list(request):
    return render(request, "care/alerts.html", {"groups": selectors.open_alerts_by_grid(request.user),
                                                "live_seconds": LIVE_SECONDS})


@login_required
def alerts_live(request):
    return render(request, "care/_alert_groups.html", {"groups": selectors.open_alerts_by_grid(request.user)})


@login_required
def alert_detail(request, pk):
    alert = access.get_or_404(selectors.alerts_for(request.user), request.user, "view", pk=pk)
    return render(request, "care/alert.html", {
        "alert": alert, "timeline": selectors.alert_timeline(alert),
        "may_act": access.can(request.user, "act", alert),
        "resolve_form": ResolveForm(), "visit_form": VisitForm(),
    })


def _act(request, pk, do):
    alert = access.get_or_404(Alert, request.user, "view", pk=pk)
    try:
        do(alert)
    except NotFound:
        raise
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        for errs in exc.fields.values():
            for err in errs:
                messages.error(request, str(err))
    else:
        messages.success(request, _("Saved."))
    return redirect("care:alert", pk=pk)


@require_POST
@login_required
def alert_acknowledge(request, pk):
    return _act(request, pk, lambda a: services.alert_acknowledge(alert=a, actor=request.user,
                                                                  note=request.POST.get("note", "")))


@require_POST
@login_required
def alert_visit(request, pk):
    form = VisitForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return _act(request, pk, lambda a: services.alert_start_visit(
        alert=a, actor=request.user, helpers=data.get("helpers", ""), note=data.get("note", "")))


@require_POST
@login_required
def alert_resolve(request, pk):
    return _act(request, pk, lambda a: services.alert_resolve(
        alert=a, actor=request.user, outcome=request.POST.get("outcome", ""), note=request.POST.get("note", "")))


@login_required
def away_list(request):
    persons = selectors.persons_user_may_flag(request.user)
    form = AwayForm(request.POST or None, persons=persons)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.away_flag_set(person=data["person"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                                   note=data["note"], actor=request.user)
        except DomainError as exc:
            for field, errs in exc.fields.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, str(err))
            if not exc.fields:
                form.add_error(None, str(exc))
        else:
            messages.success(request, _("Away period saved: no care alert while it lasts."))
            return redirect("care:away")
    return render(request, "care/away.html", {"form": form, "persons": persons,
                                              "flags": selectors.away_flags_for(request.user).order_by("-starts_at")[:50]})


@require_POST
@login_required
def away_cancel(request, pk):
    flag = access.get_or_404(AwayFlag, request.user, "view", pk=pk)
    try:
        services.away_flag_cancel(flag=flag, actor=request.user)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("care:away")
