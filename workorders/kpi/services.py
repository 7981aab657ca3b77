"""三率 writes: the district's weights and the audited export of the report."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from governance import access, audit, exports
from governance.errors import Forbidden, ValidationFailed
from governance.models import Region
from workorders.kpi.models import KpiWeights, OrderStats
from workorders.kpi.selectors import GROUPS, Period, export_columns, report


@transaction.atomic
def kpi_weights_update(*, actor, response, resolution, satisfaction, basic_score) -> KpiWeights:
    """The district edits the weights; they must lie in 0..1 and sum to 1. Audited."""
    if not access.may_at_all(actor, "change", KpiWeights):
        raise Forbidden(_("Only the district sets the weights of the three rates."))
    values, errors = {}, {}
    for name, raw in (("response", response), ("resolution", resolution), ("satisfaction", satisfaction),
                      ("basic_score", basic_score)):
        try:
            v = Decimal(str(raw)).quantize(Decimal("0.001"))
        except (ArithmeticError, ValueError, TypeError):
            errors[name] = [_("Enter a number between 0 and 1.")]
            continue
        if not (0 <= v <= 1):
            errors[name] = [_("Enter a number between 0 and 1.")]
        values[name] = v
    if not errors and abs(values["response"] + values["resolution"] + values["satisfaction"] - 1) > Decimal("0.001"):
        errors["satisfaction"] = [_("The three weights must add up to 1.")]
    if errors:
        raise ValidationFailed(fields=errors)
    row = KpiWeights.objects.select_for_update().filter(key="district").first() or KpiWeights(key="district")
    before = {k: str(getattr(row, k)) for k in values} if row.pk else {}
    for k, v in values.items():
        setattr(row, k, v)
    row.updated_by = actor
    row.save()
    audit.record(actor=actor, action="workorders.kpi_weights_change", obj=row,
                 data={"before": before, "after": {k: str(v) for k, v in values.items()}})
    return row


def export_xlsx(user, *, group: str, region: Region, period: Period) -> bytes:
    """The report as an .xlsx workbook; scoped like the page and audited (governance.exports)."""
    if not access.may_at_all(user, "kpi_export", OrderStats):
        raise Forbidden(_("Your role does not allow this action here."))
    rep = report(user, group=group, region=region, period=period, action="kpi_export")
    w = rep.weights
    cols = export_columns()
    rows: list[list] = [
        [_("Work-order KPIs"), rep.region.name, str(rep.period), str(GROUPS[group])],
        [_("Weights"), float(w.response), float(w.resolution), float(w.satisfaction), _("基本满意 score"),
         float(w.basic_score)],
        [],
        [str(title) for _k, title in cols],
    ]
    for fig in [*rep.rows, rep.total]:
        d = fig.as_dict(w)
        rows.append([d[k] for k, _t in cols])
    with transaction.atomic():
        return exports.write_xlsx({"KPI": rows}, actor=user, action="workorders.kpi_export", region=rep.region,
                                  purpose="KPI export", bold_rows=(4,), freeze="B5",
                                  data={"group": group, "start": rep.period.start.isoformat(),
                                        "end": rep.period.end.isoformat(), "report_rows": len(rep.rows)})
