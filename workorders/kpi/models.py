"""三率 settings (KPI engineer): the weights of the 响应率 / 解决率 / 满意率 score and the
score of 基本满意, edited by the district; and `OrderStats`, a proxy of WorkOrder whose access
policy says who may read statistics (a resident may view their own orders, not the KPIs)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance import access
from governance.roles import Role
from workorders.models.orders import WorkOrder

# rules.yaml `three_rates` (copied: never read at run time).
DEFAULT_WEIGHTS = {"response": Decimal("0.30"), "resolution": Decimal("0.35"), "satisfaction": Decimal("0.35")}
DEFAULT_BASIC_SCORE = Decimal("0.80")


class KpiWeights(models.Model):
    """One row: the district's weights. Absent, the rules.yaml defaults apply."""

    key = models.CharField(max_length=20, unique=True, default="district", editable=False)
    response = models.DecimalField(_("weight of the response rate"), max_digits=4, decimal_places=3,
                                   default=DEFAULT_WEIGHTS["response"])
    resolution = models.DecimalField(_("weight of the resolution rate"), max_digits=4, decimal_places=3,
                                     default=DEFAULT_WEIGHTS["resolution"])
    satisfaction = models.DecimalField(_("weight of the satisfaction rate"), max_digits=4, decimal_places=3,
                                       default=DEFAULT_WEIGHTS["satisfaction"])
    basic_score = models.DecimalField(_("score of 'basically satisfied'"), max_digits=4, decimal_places=3,
                                      default=DEFAULT_BASIC_SCORE)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("三率 weights")
        verbose_name_plural = _("三率 weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(response__gte=0, resolution__gte=0, satisfaction__gte=0, basic_score__gte=0,
                            response__lte=1, resolution__lte=1, satisfaction__lte=1, basic_score__lte=1),
                name="wo_kpi_weights_in_unit_range"),
            models.CheckConstraint(
                condition=models.lookups.Range(F("response") + F("resolution") + F("satisfaction"),
                                               (Decimal("0.999"), Decimal("1.001"))),
                name="wo_kpi_weights_sum_to_one"),
        ]

    def __str__(self):
        return f"{self.response} / {self.resolution} / {self.satisfaction}"


class OrderStats(WorkOrder):
    """Work orders as statistics: the same rows, a policy of its own."""

    class Meta:
        proxy = True
        verbose_name = _("work-order statistics")
        verbose_name_plural = _("work-order statistics")


# Who reads statistics (ROLES.md: street officer "KPIs", district "all"; a community its own
# community, a department its own unit; grid workers and leaders see their grid's hot spots).
STATS_RIGHTS = {
    Role.GRID_WORKER: {"hotspots"},
    Role.GRID_LEADER: {"hotspots"},
    Role.COMMUNITY_STAFF: {"kpi", "kpi_export", "hotspots"},
    Role.STREET_OFFICER: {"kpi", "kpi_export", "hotspots"},
    Role.DISTRICT_ADMIN: {access.ALL},
    Role.DEPARTMENT_STAFF: {"kpi", "kpi_export"},
}

access.register(OrderStats, access.Policy(region_path="region_path", department="assigned_department_id",
                                          rights=STATS_RIGHTS))
access.register(KpiWeights, access.Policy(
    rights={Role.COMMUNITY_STAFF: {"view"}, Role.STREET_OFFICER: {"view"}, Role.DEPARTMENT_STAFF: {"view"},
            Role.DISTRICT_ADMIN: {"view", "change"}}))
