"""Care alerts for elderly people living alone: meters, readings, who is watched, alerts and the ladder.

Times are aware UTC. Hours are kept as integers ("epoch hours": seconds since 1970 UTC // 3600)
so that the sweep's SQL is the same on SQLite and PostgreSQL (no dialect date arithmetic).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.models import Person, Unit


class MeterKind(models.TextChoices):
    WATER = "water", _("Water (m³)")
    ELECTRICITY = "electricity", _("Electricity (kWh)")


class ValueMode(models.TextChoices):
    CUMULATIVE = "cumulative", _("Cumulative register")
    INTERVAL = "interval", _("Usage per interval")


class Meter(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="care_meters", verbose_name=_("home"))
    kind = models.CharField(_("kind"), max_length=12, choices=MeterKind.choices)
    utility = models.ForeignKey("governance.Department", on_delete=models.PROTECT, related_name="care_meters",
                                limit_choices_to={"kind": "utility"}, verbose_name=_("utility"))
    external_id = models.CharField(_("meter number"), max_length=64,
                                   help_text=_("The utility's own id of the meter, as sent in readings."))
    mode = models.CharField(_("values"), max_length=12, choices=ValueMode.choices, default=ValueMode.CUMULATIVE)
    rollover = models.DecimalField(_("register rolls over at"), max_digits=14, decimal_places=3, null=True,
                                   blank=True, help_text=_("e.g. 99999.999; empty: a drop means the counter was reset"))
    active = models.BooleanField(_("active"), default=True)
    last_reading_at = models.DateTimeField(_("last reading"), null=True, blank=True, editable=False)
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(_("installed"), auto_now_add=True)

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["unit", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["utility", "external_id"], name="care_meter_external_id_per_utility"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.external_id}"

    def save(self, *args, **kwargs):
        if self.unit_id and not self.region_path:
            self.region_path = Unit.objects.filter(pk=self.unit_id).values_list("building__grid__path", flat=True)[0]
        super().save(*args, **kwargs)


class Reading(models.Model):
    """One reading as sent. `delta` is the usage it stands for (for a cumulative meter, the
    difference to the previous reading in time order); `hour` the epoch hour it is counted in."""

    # No database foreign key (db_constraint=False), here and on HourlyUsage.meter: its deferred
    # check, queued by every reading and every hourly row, cost about a quarter of the ingest's
    # time at commit (bench.care --perf). The ingest, the only writer, takes meter ids from the
    # sending utility's own meters, and its statement holds those rows (FOR KEY SHARE) until commit,
    # so a meter whose deletion is under way gets none of the batch's rows; and a deletion first
    # locks the meter row (services.ingest.hold_meter_for_delete), so a batch already holding it
    # commits before the cascade deletes its readings and hours (Django cascades them in Python).
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="readings", db_index=False,
                              db_constraint=False)
    ts = models.DateTimeField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    delta = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    hour = models.BigIntegerField()
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        # The unique (meter, ts) index serves every meter_id lookup (hence no FK index of its own).
        # received_at: the portable (SQLite) ingest counts its inserts by it.
        constraints = [models.UniqueConstraint(fields=["meter", "ts"], name="care_reading_once_per_meter_ts")]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self):
        return f"{self.meter_id} @ {timezone.localtime(self.ts):%Y-%m-%d %H:%M}: {self.value}"


class HourlyUsage(models.Model):
    """Usage of one meter in one hour, maintained by ingestion (kept longer than readings).
    A row means the hour is known (even with zero use); a missing row means no data."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="hourly", db_index=False,
                              db_constraint=False)  # why no database FK: see Reading.meter
    hour = models.BigIntegerField()
    usage = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        verbose_name = _("hourly usage")
        verbose_name_plural = _("hourly usage")
        # The unique (meter, hour) index serves every meter_id lookup (hence no FK index of its own).
        constraints = [models.UniqueConstraint(fields=["meter", "hour"], name="care_hourly_once_per_meter_hour")]
        indexes = [models.Index(fields=["hour", "meter"])]

    def __str__(self):
        return f"{self.meter_id} h{self.hour}: {self.usage}"


class Consent(models.Model):
    """Recorded consent to be watched, for a person who is not tagged 独居老人."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_consents",
                               verbose_name=_("person"))
    given_by = models.CharField(_("given by"), max_length=50, help_text=_("The person, or their guardian's name"))
    date = models.DateField(_("date"))
    document = models.CharField(_("document note"), max_length=200, blank=True,
                                help_text=_("Where the signed form is kept"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    editable=False)
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("consent to care watch")
        verbose_name_plural = _("consents to care watch")

    def __str__(self):
        return f"{self.person} · {self.date}"


class AwayFlag(models.Model):
    """"Away until …": no care alert for the person's home while it covers the time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="away_flags", verbose_name=_("person"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("e.g. staying with my daughter"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("set by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    # Epoch hours of the period, for the sweep's portable SQL (kept in step by save()).
    starts_hour = models.BigIntegerField(editable=False, default=0)
    ends_hour = models.BigIntegerField(editable=False, default=0)

    class Meta:
        verbose_name = _("away period")
        verbose_name_plural = _("away periods")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="care_away_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.person} · {timezone.localtime(self.starts_at):%Y-%m-%d} – {timezone.localtime(self.ends_at):%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.starts_hour = int(self.starts_at.timestamp()) // 3600
        self.ends_hour = -(-int(self.ends_at.timestamp()) // 3600)  # the hour after the end
        super().save(*args, **kwargs)


class Detector(models.TextChoices):
    DEFAULT = "default", _("Home profile (default)")
    SEED_RULE = "seed_rule", _("Original design rule (3-day average)")
    PRACTICE_RULE = "practice_rule", _("Rule in practice (12 h < 0.01 m³ or day > 2 m³)")


class CareSettings(models.Model):
    """Thresholds of the detector, per district; edited in admin."""

    district = models.OneToOneField("governance.Region", on_delete=models.CASCADE, related_name="care_settings",
                                    limit_choices_to={"level": "district"}, verbose_name=_("district"))
    detector = models.CharField(_("detector"), max_length=16, choices=Detector.choices, default=Detector.DEFAULT)
    lookback_days = models.PositiveSmallIntegerField(_("learn from the last (days)"), default=28)
    water_active_m3 = models.DecimalField(_("water use that shows life (m³ per hour above base)"), max_digits=8,
                                          decimal_places=4, default=0.002)
    power_active_kwh = models.DecimalField(_("power use that shows life (kWh per hour above base)"), max_digits=8,
                                           decimal_places=4, default=0.06)
    idle_min_hours = models.PositiveSmallIntegerField(_("never alert before (hours without life)"), default=7)
    idle_margin_active = models.DecimalField(
        _("past quiet compared: usual hours of life beyond the home's heaviest (weighted)"), max_digits=5,
        decimal_places=2, default=3.5,
        help_text=_("A quiet hour weighs the share of days on which this home shows life at that hour: a quiet "
                    "night weighs almost nothing, a quiet morning almost a whole hour."))
    idle_hour_window = models.PositiveSmallIntegerField(_("same hours of the day within (± hours)"), default=2)
    flow_m3 = models.DecimalField(_("running water: use per hour of at least (m³)"), max_digits=8,
                                  decimal_places=4, default=0.1,
                                  help_text=_("A tap left open runs 0.1–0.6 m³ an hour; a shower about 0.05."))
    flow_min_hours = models.PositiveSmallIntegerField(_("running water: at least (hours in a row)"), default=3)
    flow_margin_hours = models.PositiveSmallIntegerField(_("running water: hours beyond the home's longest"), default=1)
    steady_level_kwh = models.DecimalField(
        _("appliance left on: power above base of at least (kWh per hour)"), max_digits=8, decimal_places=4,
        default=0.03, help_text=_("A light, a television or a heater that nobody switches off."))
    steady_tolerance_kwh = models.DecimalField(
        _("appliance left on: hour-to-hour change of at most (kWh)"), max_digits=8, decimal_places=4,
        default=0.035, help_text=_("Power that does not change while water is not used: nobody is switching anything."))
    steady_min_hours = models.PositiveSmallIntegerField(_("appliance left on: at least (hours in a row)"), default=4)
    steady_margin_hours = models.PositiveSmallIntegerField(_("appliance left on: hours beyond the home's longest"),
                                                           default=2)
    steady_hour_window = models.PositiveSmallIntegerField(
        _("appliance left on: compared with the home's spells started within (± hours)"), default=2)
    steady_quiet_allowance = models.DecimalField(
        _("appliance left on: the stillness weighs at least the home's heaviest quiet less (usual hours)"),
        max_digits=5, decimal_places=2, default=1.0,
        help_text=_("A light left on during a long outing looks like a light left on after a fall; where this "
                    "home has been out as long at this time of day, wait until the stillness outweighs it."))
    device_gap_hours = models.PositiveSmallIntegerField(_("device alert after silence of (hours)"), default=6)
    reading_retention_days = models.PositiveSmallIntegerField(_("keep raw readings (days)"), default=90)
    rollup_retention_days = models.PositiveIntegerField(_("keep hourly usage (days)"), default=730)

    class Meta:
        verbose_name = _("care alert settings")
        verbose_name_plural = _("care alert settings")

    def __str__(self):
        return str(_("Care alert settings of %(district)s") % {"district": self.district})


class HomeProfile(models.Model):
    """What the sweep compares a home with, learned from its last `lookback_days` of hourly usage and
    refreshed once a day (set-based SQL, `households.care.detection.profile_refresh_sql`): the base
    load of each meter kind and, in `SpellProfile`, the home's longest spells by hour of the day."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, primary_key=True, related_name="care_profile",
                                verbose_name=_("home"))
    water_base = models.FloatField(_("water base load (m³ per hour)"), default=0)
    power_base = models.FloatField(_("power base load (kWh per hour)"), default=0)
    known_hours = models.PositiveIntegerField(_("hours learned from"), default=0)
    refreshed_hour = models.BigIntegerField(_("refreshed (epoch hour)"), db_index=True)

    class Meta:
        verbose_name = _("home profile")
        verbose_name_plural = _("home profiles")

    def __str__(self):
        return f"{self.unit_id} @ h{self.refreshed_hour}"


class SpellKind(models.TextChoices):
    QUIET = "quiet", _("No sign of life")
    STEADY = "steady", _("Appliance left on, nothing else")
    FLOW = "flow", _("Water running")


class SpellProfile(models.Model):
    """The longest past spell of `kind` still going on from an hour with local hour of day `hod`
    (spells of more than a day are trips or incidents, not habits, and are not learned)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="care_spells")
    kind = models.CharField(max_length=8, choices=SpellKind.choices)
    hod = models.PositiveSmallIntegerField()
    longest = models.PositiveSmallIntegerField()
    # the heaviest such spell: the sum of the home's `HourProfile.active_share` over its hours from `hod` on
    weight = models.FloatField(default=0)

    class Meta:
        verbose_name = _("spell profile")
        verbose_name_plural = _("spell profiles")
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "hod"], name="care_spell_once_per_hod")]

    def __str__(self):
        return f"{self.unit_id} {self.kind} {self.hod}h: {self.longest}"


class HourProfile(models.Model):
    """The share of the last `lookback_days` on which the home showed life in local hour `hod` (the
    hours every meter reported; never below `detection.MIN_ACTIVE_SHARE`). A quiet hour weighs that
    much in the default detector, so a quiet spell is judged by the life it lacks, not by its hours."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="care_hours")
    hod = models.PositiveSmallIntegerField()
    active_share = models.FloatField()

    class Meta:
        verbose_name = _("hour-of-day profile")
        verbose_name_plural = _("hour-of-day profiles")
        constraints = [models.UniqueConstraint(fields=["unit", "hod"], name="care_hour_once_per_hod")]

    def __str__(self):
        return f"{self.unit_id} {self.hod}h: {self.active_share:.2f}"


class Audience(models.TextChoices):
    GRID = "grid", _("Grid workers of the home's grid (call the person)")
    CONTACTS = "contacts", _("The person's care contacts")
    COMMUNITY = "community", _("Community staff (and a visit task)")
    STREET = "street", _("Street officers")


class EscalationStep(models.Model):
    """One rung of the ladder: after `after_minutes` without acknowledgement (or without a visit
    being under way), notify `audience`; optionally open a visit task."""

    district = models.ForeignKey("governance.Region", on_delete=models.CASCADE, related_name="care_ladder",
                                 limit_choices_to={"level": "district"}, verbose_name=_("district"))
    code = models.SlugField(_("code"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"))
    after_minutes = models.PositiveIntegerField(_("after (minutes)"))
    audience = models.CharField(_("notify"), max_length=12, choices=Audience.choices)
    while_states = models.CharField(_("only while the alert is"), max_length=60, default="open",
                                    help_text=_("Comma-separated states, e.g. open,acknowledged"))
    create_visit = models.BooleanField(_("open a visit task"), default=False)
    instruction = models.CharField(_("instruction"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["district", "order"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="care_step_code_per_district")]

    def __str__(self):
        return f"{self.order}. {self.code}"


class AlertKind(models.TextChoices):
    NO_LIFE = "no_life", _("No sign of life")
    WATER_RUNNING = "water_running", _("Water that never stops")
    DEVICE = "device", _("Meter stopped reporting")


CARE_KINDS = (AlertKind.NO_LIFE, AlertKind.WATER_RUNNING)


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    VISITING = "visiting", _("Visit under way")
    RESOLVED = "resolved", _("Resolved")


class Outcome(models.TextChoices):
    OK = "ok", _("All well")
    FALSE_ALARM = "false_alarm", _("False alarm")
    AWAY = "away", _("Was away")
    NEEDED_HELP = "needed_help", _("Needed help")
    HOSPITAL = "hospital", _("Sent to hospital")
    DEVICE_FIXED = "device_fixed", _("Meter repaired")


class Alert(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="care_alerts", verbose_name=_("home"))
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="care_alerts",
                               verbose_name=_("person"))
    grid = models.ForeignKey("governance.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    detector = models.CharField(_("detector"), max_length=16, choices=Detector.choices, default=Detector.DEFAULT)
    state = models.CharField(_("state"), max_length=14, choices=AlertState.choices, default=AlertState.OPEN)
    # Start of the evidence (epoch hour): the same evidence never raises a second alert.
    since_hour = models.BigIntegerField(_("evidence since (epoch hour)"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("care alert")
        verbose_name_plural = _("care alerts")
        ordering = ["raised_at", "id"]
        indexes = [models.Index(fields=["state", "raised_at"]), models.Index(fields=["unit", "kind", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "detector"], condition=~Q(state="resolved"),
                                    name="care_one_open_alert_per_home_kind"),
            models.CheckConstraint(condition=(Q(state="resolved") & ~Q(outcome="")) | (~Q(state="resolved") & Q(outcome="")),
                                   name="care_outcome_iff_resolved"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.unit}"

    @property
    def is_care(self) -> bool:
        return self.kind in CARE_KINDS


# The words of an alert's timeline (the moves are governance.statemachine's, in services.alerts).
# pgettext: "raised", "resolved" are also the names of the alert's time fields (发出时间, 办结时间).
EVENT_LABELS = {"raised": pgettext_lazy("care timeline", "raised"), "escalate": pgettext_lazy("care timeline", "escalated"),
                "acknowledge": pgettext_lazy("care timeline", "acknowledged"),
                "visit": pgettext_lazy("care timeline", "visit started"), "resolve": pgettext_lazy("care timeline", "resolved")}


class AlertEvent(models.Model):
    """The alert's timeline (append-only)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    action = models.CharField(_("action"), max_length=30)
    step = models.CharField(_("ladder step"), max_length=30, blank=True)
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14, blank=True)
    note = models.TextField(_("note"), blank=True)
    notified = models.PositiveIntegerField(_("people notified"), default=0)

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert timeline")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "step"], condition=~Q(step=""), name="care_step_once_per_alert"),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.action} {self.step}".strip()

    @property
    def action_label(self):
        return EVENT_LABELS.get(self.action, self.action)

    @property
    def to_state_label(self):
        return AlertState(self.to_state).label if self.to_state in AlertState.values else self.to_state


class VisitHelp(models.TextChoices):
    NONE = "", _("No one else")
    POLICE = "police", _("Police (110)")
    PROPERTY = "property", _("Property company")
    BOTH = "both", _("Police and property company")


class VisitTask(models.Model):
    """A home visit asked for by the ladder or started by staff."""

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="visit")
    requested_at = models.DateTimeField(_("requested"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    helpers = models.CharField(_("with"), max_length=10, choices=VisitHelp.choices, blank=True,
                               help_text=_("Called when nobody opens the door"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit task")
        verbose_name_plural = _("visit tasks")

    def __str__(self):
        return str(_("Visit for %(alert)s") % {"alert": self.alert})
