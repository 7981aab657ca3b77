"""The work-order models: the orders and their reference data (`orders`) and the 三率 settings and
statistics proxy (`workorders.kpi.models`), gathered here for Django's model discovery."""

from workorders.kpi.models import KpiWeights, OrderStats
from workorders.models.orders import (
    Category,
    DutyRoster,
    FollowUp,
    OrderApplication,
    Photo,
    PlusOne,
    RequestType,
    RoutingRule,
    TimelineEntry,
    WorkOrder,
    WorkorderRules,
    photo_path,
)

__all__ = ["Category", "DutyRoster", "FollowUp", "KpiWeights", "OrderApplication", "OrderStats", "Photo", "PlusOne",
           "RequestType", "RoutingRule", "TimelineEntry", "WorkOrder", "WorkorderRules", "photo_path"]
