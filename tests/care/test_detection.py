"""Each detector on fixed series (fed through the real ingestion), on a fixed clock."""

from datetime import timedelta

import pytest

from households.care.models import AlertKind, AwayFlag, Detector
from households.care.services import alert_resolve, care_sweep
from tests.care.factories import T0, feed_hourly, watched_home

pytestmark = pytest.mark.django_db
FRIDGE = 0.03  # kWh an hour: a running fridge is not a sign of life


def normal_day():
    """One day of an ordinary routine, local hours 0..23: up at 7, to bed at 22."""
    water = [0.0] * 24
    power = [FRIDGE] * 24
    for h in range(7, 22):
        power[h] = 0.22 if h % 2 else 0.12  # lights, radio, kettle: power changes while someone is up
        water[h] = 0.01 if h % 3 else 0.0  # water now and then
    for h in (7, 12, 18):
        water[h] = 0.03
        power[h] = 0.8
    return water, power


def history(days=21):
    water, power = [], []
    for _ in range(days):
        w, p = normal_day()
        water += w
        power += p
    return water, power


def at(hours):
    """The clock `hours` after T0 (T0 is local midnight), plus a few minutes of delivery delay."""
    return T0 + timedelta(hours=hours, minutes=5)


def setup(world, water_tail, power_tail, days=21):
    person, water, power = watched_home(world)
    w, p = history(days)
    feed_hourly(water, w + water_tail, now=at(len(w) + len(water_tail)))
    feed_hourly(power, p + power_tail, now=at(len(p) + len(power_tail)))
    return person, days * 24


def kinds(result):
    return sorted(a.kind for a in result.raised)


def kinds_of(alerts):
    return sorted(a.kind for a in alerts)


def test_normal_routine_raises_nothing_day_or_night(world):
    w, p = normal_day()
    _person, start = setup(world, w + w[:6], p + p[:6])
    for hour in range(start + 6, start + 31, 2):  # a whole day and the night after
        assert care_sweep(now=at(hour)).raised == []


def test_no_sign_of_life_after_a_fall_at_ten(world):
    w, p = normal_day()
    water = w[:11] + [0.0] * 10
    power = p[:11] + [FRIDGE] * 10
    person, start = setup(world, water, power)
    assert care_sweep(now=at(start + 13)).raised == []  # 2 quiet hours at midday: not yet
    raised = []
    for hour in range(start + 14, start + 21):  # eight quiet hours in the day: never seen before
        raised += care_sweep(now=at(hour)).raised
    assert [a.kind for a in raised] == [AlertKind.NO_LIFE]
    alert = raised[0]
    assert alert.person == person and alert.grid == world.grids[0]
    assert alert.since_hour == int(T0.timestamp()) // 3600 + start + 11
    assert alert.events.filter(action="raised").exists()
    # the next sweep sees the same evidence and an open alert: nothing new
    assert care_sweep(now=at(start + 21)).raised == []


def test_a_fall_in_the_late_afternoon_is_not_mistaken_for_sleep(world):
    """Quiet since 17:00 in a home always up until 22:00: five missed hours weigh five, more than the
    heaviest night (nine hours at the minimum share) + 3.5, so the alarm comes at night, not in the
    morning — once the quiet is `idle_min_hours` long."""
    w, p = normal_day()
    water = w[:17] + [0.0] * 12
    power = p[:17] + [FRIDGE] * 12
    _person, start = setup(world, water, power)
    raised = []
    for hour in range(start + 18, start + 24):  # up to six quiet hours: never before idle_min_hours
        raised += care_sweep(now=at(hour)).raised
    assert raised == []
    for hour in range(start + 24, start + 27):  # seven quiet hours since 17:00 (at midnight): alarm
        raised += care_sweep(now=at(hour)).raised
    assert [a.kind for a in raised] == [AlertKind.NO_LIFE]
    assert raised[0].evidence["hours"] == 7


def test_quiet_from_near_bedtime_waits_for_the_morning(world):
    """Quiet from an hour before the usual bedtime weighs that hour, then almost nothing through the
    night (this home is never up then): it is judged by the morning's missing life, not by its length."""
    w, p = normal_day()
    water = w[:21] + [0.0] * 16
    power = p[:21] + [FRIDGE] * 16
    _person, start = setup(world, water, power)
    raised = []
    for hour in range(start + 22, start + 34):  # up to 09:05: twelve quiet hours, three the home is up in
        raised += care_sweep(now=at(hour)).raised
    assert raised == []
    for hour in range(start + 34, start + 36):  # 09:00 missed too: past the home's heaviest night + 3.5
        raised += care_sweep(now=at(hour)).raised
    assert [a.kind for a in raised] == [AlertKind.NO_LIFE]
    assert raised[0].evidence["weight"] > raised[0].evidence["heaviest_similar"] + 3.5


def test_a_fall_that_leaves_the_light_on(world):
    """Power stays above base, but nothing changes and no water is used: no sign of life. The light
    alone would count as life under a rule that only looks at the level of use."""
    w, p = normal_day()
    water = w[:10] + [0.0] * 8
    power = p[:10] + [FRIDGE + 0.1] * 8
    _person, start = setup(world, water, power)
    assert care_sweep(now=at(start + 13)).raised == []
    raised = []
    for hour in range(start + 14, start + 18):
        raised += care_sweep(now=at(hour)).raised
    assert [(a.kind, a.evidence["signal"]) for a in raised] == [(AlertKind.NO_LIFE, "steady")]
    assert raised[0].since_hour == int(T0.timestamp()) // 3600 + start + 11  # steady from the second hour


def test_one_stillness_raises_one_alert_though_two_signals_see_it(world):
    """Light left on after a fall: the steady power raises the alert first; once staff have answered
    it, the same stillness seen later as a long quiet spell is not raised again."""
    w, p = normal_day()
    water = w[:9] + [0.0] * 31
    power = p[:9] + [FRIDGE] + [FRIDGE + 0.04] * 30  # quiet from 09:00, a small lamp steady from 10:00
    _person, start = setup(world, water, power)
    raised = []
    for hour in range(start + 12, start + 16):
        raised += care_sweep(now=at(hour)).raised
    assert [a.evidence["signal"] for a in raised] == ["steady"]
    alert_resolve(alert=raised[0], actor=world.users["admin"], outcome="false_alarm", note="", now=at(start + 16))
    later = []
    for hour in range(start + 16, start + 40, 2):
        later += care_sweep(now=at(hour)).raised
    assert later == []


def _outing_home(world, lamp_until):
    """A home out 09:00–16:00 every other day (nothing left on), then today out from 09:00 with a
    lamp left on until `lamp_until` (back and busy after it)."""
    history_w, history_p = [], []
    for day in range(21):
        w, p = normal_day()
        if day % 2 == 0:
            for h in range(9, 16):
                w[h], p[h] = 0.0, FRIDGE
        history_w += w
        history_p += p
    w, p = normal_day()
    for h in range(9, lamp_until):
        w[h], p[h] = 0.0, FRIDGE + 0.1
    person, water, power = watched_home(world)
    feed_hourly(water, history_w + w, now=at(22 * 24))
    feed_hourly(power, history_p + p, now=at(22 * 24))
    return 21 * 24


def test_a_lamp_left_on_during_an_outing_the_home_makes_is_not_an_alarm(world):
    """Four hours out with a lamp on (steady from 09:00: the lamp is at the level of the hour before)
    where this home is often out seven hours: four such hours weigh 1.9, less than its heaviest
    quiet at that time (3.3) less 1, so no alarm though the appliance rule alone would raise one."""
    start = _outing_home(world, lamp_until=13)
    for hour in range(start + 11, start + 20):
        assert care_sweep(now=at(hour)).raised == []


def test_a_lamp_left_on_longer_than_the_home_is_ever_out_is_an_alarm(world):
    start = _outing_home(world, lamp_until=20)
    raised = []
    for hour in range(start + 11, start + 14):  # up to 13:05: as still as a usual outing
        raised += care_sweep(now=at(hour)).raised
    assert raised == []
    for hour in range(start + 14, start + 16):  # 13:00 too: within one usual hour of its heaviest: alarm
        raised += care_sweep(now=at(hour)).raised
    assert [(a.kind, a.evidence["signal"]) for a in raised] == [(AlertKind.NO_LIFE, "steady")]


def test_a_light_left_on_every_evening_is_a_habit_not_an_alarm(world):
    w, p = normal_day()
    for h in range(18, 22):
        w[h], p[h] = 0.0, FRIDGE + 0.1  # television, nothing else, every evening
    person, water, power = watched_home(world)
    feed_hourly(water, w * 21 + w[:23], now=at(21 * 24 + 23))
    feed_hourly(power, p * 21 + p[:23], now=at(21 * 24 + 23))
    for hour in range(21 * 24 + 19, 21 * 24 + 24):
        assert care_sweep(now=at(hour)).raised == []


def test_water_that_never_stops(world):
    w, p = normal_day()
    water = w[:14] + [0.25] * 5
    _person, start = setup(world, water, p[:19])
    assert care_sweep(now=at(start + 16)).raised == []  # two hours of running water: a bath, perhaps
    raised = []
    for hour in range(start + 17, start + 20):
        raised += care_sweep(now=at(hour)).raised
    assert [a.kind for a in raised] == [AlertKind.WATER_RUNNING]


def test_a_silent_meter_is_a_device_alert_never_a_care_alert(world):
    w, p = normal_day()
    _person, start = setup(world, w[:10], p + p[:10])  # the water meter stops at 10:00
    raised = []
    for hour in range(start + 11, start + 24):
        raised += care_sweep(now=at(hour)).raised
    assert [a.kind for a in raised] == [AlertKind.DEVICE]


def test_away_flag_suppresses_and_expires(world):
    w, p = normal_day()
    person, start = setup(world, w[:9] + [0.0] * 30, p[:9] + [FRIDGE] * 30)
    AwayFlag.objects.create(person=person, starts_at=at(start + 8), ends_at=at(start + 30))
    for hour in range(start + 12, start + 30, 3):
        assert care_sweep(now=at(hour)).raised == []
    raised = []
    for hour in range(start + 31, start + 40):
        raised += care_sweep(now=at(hour)).raised
    # back home (flag over at 06:00) and still no sign of life: the quiet counts from the return
    assert [a.kind for a in raised] == [AlertKind.NO_LIFE]
    assert raised[0].since_hour >= int(at(start + 30).timestamp()) // 3600


def test_unwatched_home_is_not_swept(world):
    person, water, power = watched_home(world, tagged=False)
    w, p = history(3)
    feed_hourly(water, w + [0.0] * 20)
    feed_hourly(power, p + [FRIDGE] * 20)
    assert care_sweep(now=at(3 * 24 + 20)).raised == []


def test_seed_rule_is_defeated_by_a_fridge(world):
    _person, start = setup(world, [0.0] * 48, [FRIDGE] * 48, days=3)
    assert care_sweep(now=at(start + 49), detector=Detector.SEED_RULE).raised == []
    # the default detector saw it long before: a fridge is base load, not life
    raised = []
    for hour in range(start + 3, start + 49, 3):
        raised += care_sweep(now=at(hour)).raised
    assert kinds_of(raised) == [AlertKind.NO_LIFE]


def test_seed_rule_fires_when_everything_stops(world):
    _person, start = setup(world, [0.0] * 48, [0.0] * 48, days=3)
    result = care_sweep(now=at(start + 49), detector=Detector.SEED_RULE)
    assert kinds(result) == [AlertKind.NO_LIFE]


def test_practice_rule_daytime_and_daily_volume(world):
    person, start = setup(world, [0.0005] * 21, [FRIDGE] * 21, days=3)
    assert care_sweep(now=at(start + 19), detector=Detector.PRACTICE_RULE).raised == []  # 08–20 not over yet
    assert kinds(care_sweep(now=at(start + 21), detector=Detector.PRACTICE_RULE)) == [AlertKind.NO_LIFE]
    _other, start2 = setup(world, [0.1] * 21, [FRIDGE] * 21, days=3)
    assert kinds(care_sweep(now=at(start2 + 21), detector=Detector.PRACTICE_RULE)) == [AlertKind.WATER_RUNNING]
