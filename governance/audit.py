"""Write audit events. Call inside the transaction of the change so both land or neither."""

from __future__ import annotations

from django.db.models import Model

from governance.middleware import current_ip
from governance.models import AuditEvent


def record(*, actor, action: str, obj: Model | None = None, region=None, purpose: str = "",
           data: dict | None = None, ip: str | None = None) -> AuditEvent:
    if region is None and obj is not None:
        region = getattr(obj, "audit_region", None)
        if callable(region):
            region = region()
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        region=region,
        region_path=region.path if region is not None else "",
        ip=ip or current_ip.get(),
        purpose=purpose[:200],
        data=data or {},
    )
