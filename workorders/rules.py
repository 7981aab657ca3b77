"""Defaults of the loop copied from the domain reference (rules.yaml). The values an office
edits — reopen window, amber share, follow-up call limit — live in the one-row
WorkorderRules table (admin); absent that row, the WORKORDERS_RULES setting and then the
code defaults below apply. Everything reads them through `rule()`. Category limits, request
types and routing live in the database and are edited in admin."""

from django.conf import settings

DEFAULTS = {
    "accept": (1, "work_hours"),  # 受理/立案
    "dispatch": (1, "work_hours"),  # 派遣
    "verify": (1, "work_days"),  # 核查结案
    "reopen_window_days": 7,
    "followup_call": (2, "work_days"),
    "sla_warning_at": 0.8,
    "max_report_photos": 3,
    "max_supervise_level": 3,
    "nearby_radius_m": 300,
    "three_rates_weights": {"response": 0.30, "resolution": 0.35, "satisfaction": 0.35},
    "satisfaction_scores": {"satisfied": 1.0, "basic": 0.8, "unsatisfied": 0.0},
}

# rule name -> how to read it from the district's WorkorderRules row.
EDITABLE = {
    "reopen_window_days": lambda row: row.reopen_window_days,
    "sla_warning_at": lambda row: float(row.sla_warning_at),
    "followup_call": lambda row: (row.followup_limit, row.followup_unit),
}


def district_rules():
    """The district's WorkorderRules row, or None (then the defaults apply)."""
    from workorders.models import WorkorderRules

    return WorkorderRules.objects.filter(key="district").first()


def rule(name):
    if name in EDITABLE:
        row = district_rules()
        if row is not None:
            return EDITABLE[name](row)
    return getattr(settings, "WORKORDERS_RULES", {}).get(name, DEFAULTS[name])
