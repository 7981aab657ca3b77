"""Staff pages (KPI engineer): the KPI table with filters and its Excel export, the
weights form (district), and the 未诉先办 hot spots. Work on a phone: one table that scrolls
sideways, filters stacked. Thin: workorders.kpi / hotspots compute through access."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import access
from governance.errors import DomainError, Forbidden, NotFound, ValidationFailed
from governance.models import Region
from workorders.kpi import hotspots, services
from workorders.kpi import selectors as kpi
from workorders.kpi.models import KpiWeights, OrderStats


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


def _door(back: str):
    """Run a page body: out of scope → 404, no right → 403 page, bad input → message and back."""

    def wrap(body):
        @wraps(body)
        def view(request, *args, **kwargs):
            try:
                return body(request, *args, **kwargs)
            except NotFound:
                raise  # an Http404: the 404 page, not a message and a redirect like the other domain errors
            except Forbidden as exc:
                return render(request, "workorders/forbidden.html", {"message": exc.message}, status=403)
            except DomainError as exc:
                messages.error(request, _message(exc))
                return HttpResponseRedirect(reverse(back))

        return login_required(view)

    return wrap


def _kpi_args(request, action: str) -> dict:
    g = request.GET
    return {"region": kpi.resolve_region(request.user, g.get("region") or None, action, code=g.get("region_code") or None),
            "period": kpi.parse_period(start=g.get("start"), end=g.get("end"), month=g.get("month") or None),
            "group": g.get("group") or "region"}


@_door("workorders:kpi")
def kpi_page(request):
    if not kpi.may_read_kpis(request.user):
        raise Forbidden(_("Your role does not allow this action here."))
    rep = kpi.report(request.user, **_kpi_args(request, "kpi"))
    w = rep.weights
    return render(request, "workorders/kpi.html", {
        "rep": rep, "rows": [f.as_dict(w) for f in rep.rows], "total": rep.total.as_dict(w),
        "groups": kpi.GROUPS, "regions": _regions_for(request.user, "kpi", rep.region),
        "query": request.GET.urlencode(), "weights": w,
        "may_export": access.may_at_all(request.user, "kpi_export", OrderStats),
        "may_edit_weights": access.may_at_all(request.user, "change", KpiWeights),
        "may_hotspots": access.may_at_all(request.user, "hotspots", OrderStats),
    })


@_door("workorders:kpi")
def kpi_export(request):
    args = _kpi_args(request, "kpi_export")
    body = services.export_xlsx(request.user, **args)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    p = args["period"]
    response["Content-Disposition"] = f'attachment; filename="kpi-{args["group"]}-{p.start:%Y%m%d}-{p.end:%Y%m%d}.xlsx"'
    return response


@require_POST
@_door("workorders:kpi")
def kpi_weights(request):
    try:
        services.kpi_weights_update(actor=request.user, response=request.POST.get("response"),
                               resolution=request.POST.get("resolution"),
                               satisfaction=request.POST.get("satisfaction"),
                               basic_score=request.POST.get("basic_score"))
    except ValidationFailed as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("The weights were saved."))
    return HttpResponseRedirect(reverse("workorders:kpi"))


@_door("workorders:hotspots")
def hotspots_page(request):
    g = request.GET
    params = hotspots.parse_params(weeks=g.get("weeks"), min_count=g.get("min_count"), factor=g.get("factor"))
    data = hotspots.hotspots(request.user, region_id=g.get("region") or None,
                             region_code=g.get("region_code") or None, params=params)
    region = Region.objects.get(pk=data["region"]["id"])
    return render(request, "workorders/hotspots.html", {
        "data": data, "regions": _regions_for(request.user, "hotspots", region), "region": region,
        "may_kpi": kpi.may_read_kpis(request.user)})
