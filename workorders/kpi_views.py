"""Staff pages (KPI engineer): the KPI table with filters and its Excel export, the
weights form (district), and the 未诉先办 hot spots. Work on a phone: one table that scrolls
sideways, filters stacked. Thin: workorders.kpi / hotspots compute through access."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import access
from governance.errors import DomainError, Forbidden, NotFound
from governance.models import Region
from workorders import hotspots, kpi
from workorders.models_kpi import KpiWeights, OrderStats


def _forbidden(request, exc):
    return render(request, "workorders/forbidden.html", {"message": exc.message}, status=403)


def _message(exc: DomainError) -> str:
    parts = [str(exc.message)] + [str(e) for errs in exc.fields.values() for e in errs]
    return " ".join(parts)


def _regions_for(user, action: str, current: Region):
    """The picker: the current region, its ancestors inside the user's reach and its children."""
    roots = kpi.region_roots(user, action)
    qs = Region.objects.filter(parent=current) | Region.objects.filter(pk=current.pk)
    if current.parent_id:
        qs = qs | Region.objects.filter(pk=current.parent_id)
    regions = list(qs.order_by("path"))
    if roots is not None:
        regions = [r for r in regions if any(r.path.startswith(root.path) for root in roots)]
    return regions


@login_required
def kpi_page(request):
    try:
        if not kpi.may_read_kpis(request.user):
            raise Forbidden(_("Your role does not allow this action here."))
        args = {"region": kpi.resolve_region(request.user, request.GET.get("region") or None,
                                             code=request.GET.get("region_code") or None),
                "period": kpi.parse_period(start=request.GET.get("start"), end=request.GET.get("end"),
                                           month=request.GET.get("month") or None),
                "group": request.GET.get("group") or "region"}
        rep = kpi.report(request.user, **args)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, _message(exc))
        return HttpResponseRedirect(reverse("workorders:kpi"))
    w = rep.weights
    return render(request, "workorders/kpi.html", {
        "rep": rep, "rows": [f.as_dict(w) for f in rep.rows], "total": rep.total.as_dict(w),
        "groups": kpi.GROUPS, "regions": _regions_for(request.user, "kpi", rep.region),
        "query": request.GET.urlencode(), "weights": w,
        "may_export": access.may_at_all(request.user, "kpi_export", OrderStats),
        "may_edit_weights": access.may_at_all(request.user, "change", KpiWeights),
        "may_hotspots": access.may_at_all(request.user, "hotspots", OrderStats),
    })


@login_required
def kpi_export(request):
    try:
        region = kpi.resolve_region(request.user, request.GET.get("region") or None, "kpi_export",
                                    code=request.GET.get("region_code") or None)
        period = kpi.parse_period(start=request.GET.get("start"), end=request.GET.get("end"),
                                  month=request.GET.get("month") or None)
        group = request.GET.get("group") or "region"
        body = kpi.export_xlsx(request.user, group=group, region=region, period=period)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, _message(exc))
        return HttpResponseRedirect(reverse("workorders:kpi"))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="kpi-{group}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"'
    return response


@login_required
@require_POST
def kpi_weights(request):
    try:
        kpi.kpi_weights_update(actor=request.user, response=request.POST.get("response"),
                               resolution=request.POST.get("resolution"),
                               satisfaction=request.POST.get("satisfaction"),
                               basic_score=request.POST.get("basic_score"))
    except Forbidden as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("The weights were saved."))
    return HttpResponseRedirect(reverse("workorders:kpi"))


@login_required
def hotspots_page(request):
    try:
        params = hotspots.parse_params(weeks=request.GET.get("weeks"), min_count=request.GET.get("min_count"),
                                       factor=request.GET.get("factor"))
        data = hotspots.hotspots(request.user, region_id=request.GET.get("region") or None,
                                 region_code=request.GET.get("region_code") or None, params=params)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, _message(exc))
        return HttpResponseRedirect(reverse("workorders:hotspots"))
    region = Region.objects.get(pk=data["region"]["id"])
    return render(request, "workorders/hotspots.html", {
        "data": data, "regions": _regions_for(request.user, "hotspots", region), "region": region,
        "may_kpi": kpi.may_read_kpis(request.user)})
