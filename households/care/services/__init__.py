"""Care services: every write of the care app, by topic —
ingest (readings in, retention), watch (consent, away flags), alerts (lifecycle, ladder),
sweep (detection run), config (settings and ladder defaults)."""

from households.care.services.alerts import (
    MACHINE,
    alert_acknowledge,
    alert_resolve,
    alert_start_visit,
    alerts_escalate,
)
from households.care.services.config import ensure_defaults
from households.care.services.ingest import readings_ingest, readings_purge
from households.care.services.sweep import care_sweep
from households.care.services.watch import (
    away_flag_cancel,
    away_flag_set,
    consent_record,
    consent_withdraw,
    may_set_away,
)

__all__ = [
    "MACHINE", "alert_acknowledge", "alert_resolve", "alert_start_visit", "alerts_escalate", "away_flag_cancel",
    "away_flag_set", "care_sweep", "consent_record", "consent_withdraw", "ensure_defaults", "may_set_away",
    "readings_ingest", "readings_purge",
]
