"""Defaults of the loop copied from the domain reference (rules.yaml); an office overrides
them with the WORKORDERS_RULES setting (e.g. {"reopen_window_days": 10}). Category limits,
request types and routing live in the database and are edited in admin."""

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


def rule(name):
    return getattr(settings, "WORKORDERS_RULES", {}).get(name, DEFAULTS[name])
