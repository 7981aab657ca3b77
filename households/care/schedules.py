"""Beat entries of the care app (installed after migrate; editable in admin)."""

SCHEDULES = {
    "care: sweep (detect, raise, escalate)": ("households.care.tasks.sweep", 900),
    "care: learn home profiles": ("households.care.tasks.refresh_profiles", 86400),
    "care: purge old readings": ("households.care.tasks.purge_readings", 86400),
}
