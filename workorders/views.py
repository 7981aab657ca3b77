"""Portal pages for residents (report, my reports, live detail, follow-up, reopen, the
community's public list) and the phone pages for grid workers and staff (/orders/staff/).
Thin: forms validate, services act, DomainErrors become messages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from governance import access, audit
from governance.errors import DomainError, Forbidden, NotFound
from governance.pagination import IdsFirstPaginator
from households import selectors as places
from workorders import lifecycle, order_routing, selectors, services
from workorders.choices import Channel, Satisfaction, Status
from workorders.forms import REASONS, UNITS, FollowUpForm, ReopenForm, ReportForm, StaffReportForm
from workorders.models import Category, WorkOrder


def _buildings_for(user, staff=False):
    paths = access.region_paths(user) if staff else selectors.public_regions(user)
    return places.buildings_under(paths)


def _order_or_404(user, pk, action="view"):
    # NotFound is an Http404: outside scope answers the 404 page like a missing order.
    return access.get_or_404(WorkOrder.objects.select_related(*selectors.LIST_RELATED), user, action, pk=pk)


# --- residents ---------------------------------------------------------------------------


def _report_form(request, form_class, *, staff: bool):
    """The one intake page for both doors: residents (portal channel) and staff on behalf."""
    form = form_class(request.POST or None, request.FILES or None, buildings=_buildings_for(request.user, staff))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        extra = ({"channel": d["channel"], "contact_name": d["contact_name"], "contact_phone": d["contact_phone"],
                  "urgency": d["urgency"]} if staff else {"channel": Channel.PORTAL})
        try:
            order = services.order_report(
                actor=request.user, category=d["category"], description=d["description"],
                request_type=d["request_type"], lon=d["lon"], lat=d["lat"], building=d["building"],
                address=d["address"], photo_files=request.FILES.getlist("photos"), **extra)
        except DomainError as exc:
            for field, errs in exc.fields.items():
                target = field if field in form.fields else None
                for e in errs:
                    form.add_error(target, e)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            if staff:
                messages.success(request, _("Order %(number)s filed.") % {"number": order.number})
                return HttpResponseRedirect(reverse("workorders:staff_detail", kwargs={"pk": order.pk}))
            messages.success(request, _("Thank you. Your report %(number)s was received.") % {"number": order.number})
            return HttpResponseRedirect(reverse("workorders:detail", kwargs={"pk": order.pk}))
    return render(request, "workorders/report.html", {"form": form, "staff": staff})


@login_required
def report(request):
    return _report_form(request, ReportForm, staff=False)


@login_required
def nearby(request):
    """Before submitting: open orders of the same category near the chosen place (htmx partial)."""
    found = []
    try:
        category = Category.objects.get(pk=int(request.GET.get("category", "")))
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (ValueError, KeyError, Category.DoesNotExist):
        category = None
    if category is not None:
        found = selectors.nearby_open(category, lon, lat)
    return render(request, "workorders/_nearby.html", {"found": found})


@login_required
@require_POST
def plus_one(request, pk):
    try:
        order = WorkOrder.objects.get(pk=pk)
    except WorkOrder.DoesNotExist:
        from django.http import Http404

        raise Http404 from None
    try:
        services.order_plus_one(order=order, actor=request.user)
    except Forbidden:
        from django.http import Http404

        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("workorders:report"))
    messages.success(request, _("Thank you: your +1 was added to order %(number)s.") % {"number": order.number})
    return HttpResponseRedirect(reverse("workorders:public"))


@login_required
def mine(request):
    page = Paginator(selectors.my_reports(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "workorders/mine.html", {"page": page})


def _detail_context(request, order):
    user = request.user
    show_reporter = selectors.may_see_reporter(user, order)
    if show_reporter and order.reporter_id != user.pk and order.contact_phone_enc:
        audit.record(actor=user, action="workorder.view_contact", obj=order, purpose="handle the order")
    return {
        "order": order, "timeline": selectors.order_timeline(user, order), "show_reporter": show_reporter,
        "masked_name": selectors.mask_name(order.contact_name), "masked_phone": order.contact_phone_masked,
        "photos": selectors.order_photos(user, order), "is_reporter": order.reporter_id == user.pk,
        "can_reopen": order.status == Status.CLOSED and order.reporter_id == user.pk,
        "can_answer": order.status == Status.CLOSED and order.reporter_id == user.pk
        and not order.followups.filter(channel="portal").exists(),
        "followup_form": FollowUpForm(), "reopen_form": ReopenForm(),
    }


@login_required
def detail(request, pk):
    order = _order_or_404(request.user, pk)
    return render(request, "workorders/detail.html", _detail_context(request, order))


@login_required
def photo(request, pk):
    """A photo, to those who may view its order (photos of complaints are personal data).
    Media is never served as public files: every picture goes through this check."""
    from django.http import FileResponse, Http404

    from workorders.models import Photo

    item = Photo.objects.filter(pk=pk).only("order_id", "image").first()
    if item is None:
        raise Http404
    _order_or_404(request.user, item.order_id)
    response = FileResponse(item.image.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def live(request, pk):
    """The polling fallback of the live page: the status block alone (or JSON with ?format=json)."""
    order = _order_or_404(request.user, pk)
    if request.GET.get("format") == "json":
        return JsonResponse({"id": order.pk, "status": order.status, "status_label": order.get_status_display(),
                             "overdue": order.overdue, "updated_at": order.updated_at.isoformat()})
    return render(request, "workorders/_live.html", {"order": order,
                                                      "timeline": selectors.order_timeline(request.user, order)})


@login_required
@require_POST
def followup(request, pk):
    order = _order_or_404(request.user, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.followup_record(order=order, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Thank you for your answer."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Please answer every question."))
    return HttpResponseRedirect(reverse("workorders:detail", kwargs={"pk": pk}))


@login_required
@require_POST
def reopen(request, pk):
    order = _order_or_404(request.user, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.order_reopen(order=order, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("The order was reopened."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Say what is still wrong."))
    return HttpResponseRedirect(reverse("workorders:detail", kwargs={"pk": pk}))


@login_required
def public(request):
    """The community's public list: category, place, status and dates; nobody's name."""
    page = IdsFirstPaginator(selectors.public_list(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "workorders/public.html", {"page": page})


# --- staff on a phone ------------------------------------------------------------------


def _staff_only(request):
    if not selectors.is_staff_viewer(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied


@login_required
def staff(request):
    _staff_only(request)
    scope = request.GET.get("scope", "mine")
    if scope == "followup":
        qs = selectors.followups_due(request.user)
    else:
        qs = selectors.my_queue(request.user) if scope == "mine" else selectors.queue(request.user)
    counts = selectors.queue_counts(selectors.orders(request.user))
    page = IdsFirstPaginator(qs, 30).get_page(request.GET.get("page"))  # a deferred join: see its docstring
    from workorders.kpi.models import OrderStats

    return render(request, "workorders/staff_queue.html", {
        "page": page, "counts": counts, "scope": scope,
        "may_kpi": access.may_at_all(request.user, "kpi", OrderStats),
        "may_hotspots": access.may_at_all(request.user, "hotspots", OrderStats),
        "may_report": access.may_at_all(request.user, "report", WorkOrder),
    })


@login_required
def staff_new(request):
    """Phone / walk-in / patrol / visit: staff file an order on someone's behalf."""
    _staff_only(request)
    if not access.may_at_all(request.user, "report", WorkOrder):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return _report_form(request, StaffReportForm, staff=True)


@login_required
def staff_detail(request, pk):
    _staff_only(request)
    order = _order_or_404(request.user, pk)
    ctx = _detail_context(request, order)
    ctx.update({"actions": [(a, ACTION_LABELS[a]) for a in STAFF_ACTIONS
                            if a != "decide" and _may(request.user, a, order)],
                "reasons": REASONS,
                "units": UNITS, "satisfactions": Satisfaction.choices, "pending": [(a, access.can(request.user, f"{a.kind}_decide", order)
                                             and a.requested_by_id != request.user.pk)
                                            for a in services.applications.pending(order)]})
    return render(request, "workorders/staff_detail.html", ctx)


def _may(user, action, order) -> bool:
    policy_action, table_action = STAFF_ACTION_RIGHTS[action]
    if not (lifecycle.allowed(order, table_action) and access.can(user, policy_action, order)):
        return False
    if action == "dispatch" and not access.may_at_all(user, "dispatch_department", WorkOrder):
        # A community dispatches only grid-level and territorial work; departments are the street's.
        return order_routing.route(order.category, order.region).department is None
    return True


def _application(order, pk):
    from workorders.models import OrderApplication

    try:
        return OrderApplication.objects.select_related("order").get(order=order, pk=int(pk or 0))
    except (OrderApplication.DoesNotExist, ValueError):
        raise NotFound() from None


def _bool(value) -> bool:
    return value in ("1", "true", "on", "yes")


STAFF_ACTIONS = {
    "accept": lambda o, u, p, f: services.order_accept(order=o, actor=u, note=p.get("note", "")),
    "reject": lambda o, u, p, f: services.order_reject(order=o, actor=u, reason=p.get("reason", ""),
                                                       message=p.get("note", "")),
    "dispatch": lambda o, u, p, f: services.order_dispatch(order=o, actor=u, note=p.get("note", ""),
                                                           reason=p.get("reason_text", "")),
    "start": lambda o, u, p, f: services.order_start(order=o, actor=u, note=p.get("note", "")),
    "handle": lambda o, u, p, f: services.order_handle(order=o, actor=u, note=p.get("note", ""),
                                                       photo_files=f.getlist("photos")),
    "verify": lambda o, u, p, f: services.order_verify_close(order=o, actor=u, note=p.get("note", "")),
    "rework": lambda o, u, p, f: services.order_return_rework(order=o, actor=u, reason=p.get("note", "")),
    "send_back": lambda o, u, p, f: services.order_send_back(order=o, actor=u, reason=p.get("note", "")),
    "extension": lambda o, u, p, f: services.extension_request(order=o, actor=u, extra_limit=p.get("extra_limit"),
                                                               extra_unit=p.get("extra_unit", ""),
                                                               note=p.get("note", "")),
    "park": lambda o, u, p, f: services.park_request(order=o, actor=u, reason=p.get("reason", ""),
                                                     note=p.get("note", "")),
    "supervise": lambda o, u, p, f: services.order_supervise(order=o, actor=u, note=p.get("note", "")),
    "decide": lambda o, u, p, f: services.application_decide(
        application=_application(o, p.get("application")), actor=u, approve=_bool(p.get("approve")),
        note=p.get("note", "")),
    "followup": lambda o, u, p, f: services.followup_record(
        order=o, actor=u, contacted_in_time=_bool(p.get("contacted_in_time")), solved=_bool(p.get("solved")),
        satisfaction=p.get("satisfaction", "")),
}
ACTION_LABELS = {
    "accept": gettext_lazy("Accept (立案)"), "reject": gettext_lazy("Do not accept"), "dispatch": gettext_lazy("Dispatch by the rules"),
    "start": gettext_lazy("Start handling"), "handle": gettext_lazy("Done: report the result"), "verify": gettext_lazy("Verify and close"),
    "rework": gettext_lazy("Return for rework"), "send_back": gettext_lazy("Send back (not ours)"),
    "extension": gettext_lazy("Ask for more time"), "park": gettext_lazy("Ask to park (挂账)"), "supervise": gettext_lazy("Supervise (督办)"),
    "followup": gettext_lazy("Record the follow-up call"),
}
# staff action → (policy right, transition-table action)
STAFF_ACTION_RIGHTS = {
    "accept": ("accept", "accept"), "reject": ("reject", "reject"), "dispatch": ("dispatch", "dispatch"),
    "start": ("start", "start"), "handle": ("handle", "handle"), "verify": ("verify", "verify"),
    "rework": ("rework", "rework"), "send_back": ("send_back", "send_back"),
    "extension": ("extension_request", "extension_request"), "park": ("park_request", "park_request"),
    "supervise": ("supervise", "supervise"), "followup": ("followup", "followup"),
}


@login_required
@require_POST
def staff_action(request, pk):
    _staff_only(request)
    order = _order_or_404(request.user, pk)
    fn = STAFF_ACTIONS.get(request.POST.get("action", ""))
    if fn is None:
        messages.error(request, _("Unknown action."))
        return HttpResponseRedirect(reverse("workorders:staff_detail", kwargs={"pk": pk}))
    try:
        fn(order, request.user, request.POST, request.FILES)
    except NotFound:
        raise  # an Http404: the 404 page, not a message and a redirect like the other domain errors
    except Forbidden as exc:
        messages.error(request, exc.message)
        return render(request, "workorders/forbidden.html", {"message": exc.message}, status=403)
    except DomainError as exc:
        msg = exc.message
        if exc.fields:
            msg = f"{msg} " + "；".join(str(e) for errs in exc.fields.values() for e in errs)
        messages.error(request, msg)
    else:
        messages.success(request, _("Done."))
    return HttpResponseRedirect(reverse("workorders:staff_detail", kwargs={"pk": pk}))
