"""Orders closed before 0006 have no 回访 due moment: give each closed order without one the
moment the closing service sets (closed_at + the rules' "followup_call" limit through
governance.workdays), and mark it followed up at its first answer after closing, as
services/followup.py does — so an order already called back is not shown as owed.
In chunks by id, on SQLite and PostgreSQL."""

from django.conf import settings
from django.db import migrations
from django.db.models import Min, OuterRef, Subquery

DEFAULT_FOLLOWUP = (2, "work_days")  # workorders/rules.py DEFAULTS["followup_call"]


def followup_limit(apps):
    """The limit rules.rule("followup_call") answers, read from this migration's state."""
    row = apps.get_model("workorders", "WorkorderRules").objects.filter(key="district").first()
    if row is not None:
        return row.followup_limit, row.followup_unit
    return tuple(getattr(settings, "WORKORDERS_RULES", {}).get("followup_call", DEFAULT_FOLLOWUP))


def backfill_followup_due(apps, schema_editor, *, chunk=2000):
    from governance import workdays

    WorkOrder = apps.get_model("workorders", "WorkOrder")
    FollowUp = apps.get_model("workorders", "FollowUp")
    limit, unit = followup_limit(apps)
    todo = WorkOrder.objects.filter(status="closed", closed_at__isnull=False, followup_due_at__isnull=True)
    last = 0
    while True:
        rows = list(todo.filter(pk__gt=last).order_by("pk").values_list("pk", "closed_at")[:chunk])
        if not rows:
            return
        last = rows[-1][0]
        pairs = [(pk, workdays.deadline(closed, float(limit), unit).at) for pk, closed in rows]
        if schema_editor.connection.vendor == "postgresql":  # one statement per chunk
            with schema_editor.connection.cursor() as cur:
                cur.execute(f"UPDATE {WorkOrder._meta.db_table} o SET followup_due_at = v.at "
                            f"FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE o.id = v.id",
                            [[pk for pk, _at in pairs], [at for _pk, at in pairs]])
        else:
            WorkOrder.objects.bulk_update([WorkOrder(pk=pk, followup_due_at=at) for pk, at in pairs],
                                          ["followup_due_at"], batch_size=500)
        first_answer = (FollowUp.objects.filter(order_id=OuterRef("pk"), at__gte=OuterRef("closed_at"))
                        .values("order_id").annotate(first=Min("at")).values("first")[:1])
        WorkOrder.objects.filter(pk__in=[pk for pk, _c in rows], followed_up_at__isnull=True) \
            .update(followed_up_at=Subquery(first_answer))


class Migration(migrations.Migration):

    dependencies = [
        ("workorders", "0007_escalate_at"),
    ]

    operations = [
        migrations.RunPython(backfill_followup_due, migrations.RunPython.noop, elidable=True),
    ]
