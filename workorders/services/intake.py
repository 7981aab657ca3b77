"""上报: every channel (portal, phone, walk-in, patrol, visit, department API, 12345) lands in
`order_report`. Neighbours who find the same problem already open say "+1" instead."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance import access, idempotency, images
from governance.errors import Forbidden, ValidationFailed
from governance.roles import Role
from workorders import deadlines, events, lifecycle
from workorders import order_routing as routing
from workorders.choices import STAFF_CHANNELS, Channel, PhotoStage, Status, Urgency
from workorders.models import Photo, PlusOne, WorkOrder
from workorders.rules import rule
from workorders.services.common import now


def _locate(*, lon, lat, building, unit):
    if unit is not None and building is None:
        building = unit.building
    if building is not None:
        grid = routing.grid_of(building.grid)
        if lon is None and building.lon is not None:
            lon, lat = building.lon, building.lat
        return grid, building, lon, lat
    if lon is None or lat is None:
        raise ValidationFailed(fields={"location": [_("Give the location: your position or a building.")]})
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValidationFailed(fields={"location": [_("The position is not a number.")]}) from None
    if not (-180 <= lon_f <= 180 and -90 <= lat_f <= 90):
        raise ValidationFailed(fields={"location": [_("The position must be WGS-84 longitude and latitude.")]})
    grid_at_point = routing.grid_for_point(lon_f, lat_f)
    if grid_at_point is None:
        raise ValidationFailed(fields={"location": [_("This place is outside the district's grids.")]})
    return grid_at_point, None, round(lon_f, 6), round(lat_f, 6)


def _may_file_for_others(actor, grid) -> bool:
    """Staff file on behalf of callers and from patrols inside their scope; departments
    (the API channel) anywhere in their district."""
    if actor.is_superuser:
        return True
    if access.covers(actor, grid.path, model=WorkOrder, action="report"):
        return True
    for a in actor.active_assignments:
        if not access.policy_for(WorkOrder).role_may(a.role, "report"):
            continue
        if a.role == Role.DEPARTMENT_STAFF and grid.path.startswith(f"/{a.department.district_id}/"):
            return True
    return False


@transaction.atomic
def order_report(*, actor, channel: str, category, description: str, lon=None, lat=None, building=None,
                 unit=None, address: str = "", request_type=None, urgency: str = Urgency.NORMAL,
                 contact_name: str = "", contact_phone: str = "", reporter=None, photo_files=(),
                 external_id: str | None = None) -> WorkOrder:
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    errors = {}
    if not (description or "").strip():
        errors["description"] = [_("Describe the problem.")]
    if category is None or not category.active or category.parent_id is None:
        errors["category"] = [_("Choose a subcategory.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if len(photo_files) > rule("max_report_photos"):
        errors["photos"] = [_("At most %(n)s photos.") % {"n": rule("max_report_photos")}]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Unknown urgency.")]
    if errors:
        raise ValidationFailed(fields=errors)
    # The sender's id makes a retry the same order, not a second one — for the same caller with
    # the same request only; anyone else learns nothing of the order (governance.idempotency).
    key_scope = f"workorders.order:{channel}"
    request_body = {"category": category, "description": description, "lon": lon, "lat": lat,
                    "building": building, "unit": unit, "address": address, "request_type": request_type,
                    "urgency": urgency, "contact_name": contact_name, "contact_phone": contact_phone,
                    "reporter": reporter, "photos": list(photo_files)}
    if external_id:
        prior = idempotency.replayed(scope=key_scope, key=external_id, caller=actor, body=request_body,
                                     field="external_id")
        if prior is not None:
            return WorkOrder.objects.get(pk=prior)
        legacy = WorkOrder.objects.filter(channel=channel, external_id=external_id).only("created_by_id").first()
        if legacy is not None:  # filed before keys were kept: the same caller only
            if legacy.created_by_id != actor.pk:
                raise idempotency.clash("external_id")
            return WorkOrder.objects.get(pk=legacy.pk)
    grid, building, lon, lat = _locate(lon=lon, lat=lat, building=building, unit=unit)
    if channel == Channel.PORTAL:
        reporter = actor
        contact_name = contact_name or str(actor)
        contact_phone = contact_phone or (actor.mobile or "")
    elif channel in STAFF_CHANNELS:
        if not _may_file_for_others(actor, grid):
            raise Forbidden(_("You may not file orders for this place."))
        if reporter is None and not contact_name.strip():
            if channel in (Channel.PATROL, Channel.VISIT):
                contact_name = str(actor)  # found on patrol: the grid worker is the source
            else:
                raise ValidationFailed(fields={"contact_name": [_("Record the caller's name.")]})
    cleaned = [images.clean_image(f) for f in photo_files]  # all checked before anything is written
    at = now()
    order = WorkOrder(
        number=f"tmp-{at.timestamp()}-{actor.pk}"[:24], channel=channel, reporter=reporter, created_by=actor,
        contact_name=contact_name.strip()[:50], external_id=external_id,
        category=category, request_type=request_type, urgency=urgency, description=description.strip(),
        lon=lon, lat=lat, address=address[:200] or (str(building) if building else ""), building=building, unit=unit,
        region=grid, region_path=grid.path, reported_at=at, status=Status.REPORTED,
        is_public=category.public_space and not (request_type is not None and request_type.private),
    )
    order.contact_phone = contact_phone.strip()[:20]  # encrypted at rest (WorkOrder.contact_phone)
    deadlines.enter_stage(order, at)
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        if external_id:  # a request with the same id committed first: its retry or a clash, as above
            prior = idempotency.replayed(scope=key_scope, key=external_id, caller=actor, body=request_body,
                                         field="external_id")
            if prior is not None:
                return WorkOrder.objects.get(pk=prior)
            raise idempotency.clash("external_id") from None
        raise
    if external_id:
        idempotency.remember(scope=key_scope, key=external_id, caller=actor, body=request_body, obj=order,
                             field="external_id")
    order.number = f"GD{at.astimezone(deadlines.workdays.TZ):%Y%m%d}{order.pk:07d}"
    WorkOrder.objects.filter(pk=order.pk).update(number=order.number)
    entry = lifecycle.step(order, "report", actor=actor)
    for content in cleaned:
        Photo.objects.create(order=order, stage=PhotoStage.REPORT, entry=entry, image=content, size=content.size,
                             uploaded_by=actor)
    return order


@transaction.atomic
def order_plus_one(*, order: WorkOrder, actor) -> WorkOrder:
    """A neighbour reports the same open problem: one more voice on it, not a new order."""
    from workorders.lifecycle import check

    if not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    from workorders.selectors import public_list

    order = WorkOrder.objects.select_for_update().get(pk=order.pk)
    if not access.can(actor, "view", order) and not public_list(actor).filter(pk=order.pk).exists():
        raise Forbidden()  # neither theirs to see nor on their community's public list
    check(order, "plus_one")
    if order.reporter_id == actor.pk:
        raise ValidationFailed(_("This is your own report."))
    _row, created = PlusOne.objects.get_or_create(order=order, user=actor)
    if created:
        WorkOrder.objects.filter(pk=order.pk).update(plus_ones=order.plus_ones + 1)
        order.plus_ones += 1
        lifecycle.step(order, "plus_one", actor=actor, notify=False)
        events.push(order, "plus_one")
    return order
