"""The home profile the sweep compares with: learned in set-based SQL, refreshed once a day, idempotent."""

from datetime import timedelta

import pytest

from households.care.detection import MIN_ACTIVE_SHARE
from households.care.models import HomeProfile, HourProfile, SpellProfile
from households.care.services.sweep import care_profiles_refresh, care_sweep, hour_of
from tests.care.factories import T0, feed_hourly, watched_home
from tests.care.test_detection import FRIDGE, at, history, normal_day

pytestmark = pytest.mark.django_db


def spells(unit_id, kind):
    return dict(SpellProfile.objects.filter(unit_id=unit_id, kind=kind).values_list("hod", "longest"))


def test_profile_learns_base_and_the_nights_and_is_idempotent(world):
    person, water, power = watched_home(world)
    w, p = history(7)
    feed_hourly(water, w + [0.0] * 5)
    feed_hourly(power, p + [FRIDGE] * 5)
    now = at(7 * 24 + 5)
    assert care_profiles_refresh(now=now) == 1
    unit_id = person.household.unit_id
    profile = HomeProfile.objects.get(unit_id=unit_id)
    assert profile.water_base == pytest.approx(0.0) and profile.power_base == pytest.approx(FRIDGE)
    assert profile.refreshed_hour == hour_of(now)
    quiet = spells(unit_id, "quiet")
    # asleep 22:00–07:00 local: from 22:00 nine quiet hours remain, from 06:00 one
    assert quiet[22] == 9 and quiet[6] == 1
    # the spell going on now (since 00:00, five hours) is not a habit: it is not learned
    assert quiet[0] == 7  # from a past midnight, until 07:00
    # up every day 07–21: those hours weigh a whole hour when quiet; the nights only the minimum
    shares = dict(HourProfile.objects.filter(unit_id=unit_id).values_list("hod", "active_share"))
    assert len(shares) == 24
    assert shares[7] == pytest.approx(1.0) and shares[21] == pytest.approx(1.0)
    assert shares[22] == pytest.approx(MIN_ACTIVE_SHARE) and shares[3] == pytest.approx(MIN_ACTIVE_SHARE)
    weights = dict(SpellProfile.objects.filter(unit_id=unit_id, kind="quiet").values_list("hod", "weight"))
    assert weights[22] == pytest.approx(9 * MIN_ACTIVE_SHARE)  # a whole night weighs less than one morning hour
    rows = sorted(SpellProfile.objects.filter(unit_id=unit_id).values_list("kind", "hod", "longest"))
    # again within the day: nothing to do; the sweep does not re-learn a fresh profile either
    assert care_profiles_refresh(now=now + timedelta(minutes=15)) == 0
    care_sweep(now=now + timedelta(minutes=30))
    assert sorted(SpellProfile.objects.filter(unit_id=unit_id).values_list("kind", "hod", "longest")) == rows
    assert HomeProfile.objects.get(unit_id=unit_id).refreshed_hour == hour_of(now)
    # a day later it is stale: learned again, same rows (no duplicates)
    assert care_profiles_refresh(now=now + timedelta(hours=24)) == 1
    assert SpellProfile.objects.filter(unit_id=unit_id).count() == len(rows)
    assert HourProfile.objects.filter(unit_id=unit_id).count() == 24


def test_the_sweep_learns_a_missing_profile_first(world):
    person, water, power = watched_home(world)
    w, p = history(5)
    feed_hourly(water, w)
    feed_hourly(power, p)
    assert not HomeProfile.objects.exists()
    care_sweep(now=at(5 * 24))
    assert HomeProfile.objects.filter(unit_id=person.household.unit_id).exists()


def test_a_steady_television_evening_is_learned_as_a_habit(world):
    person, water, power = watched_home(world)
    w_day, p_day = normal_day()
    for h in range(18, 22):  # television from 18:00 to 22:00, nothing else, every evening
        w_day[h], p_day[h] = 0.0, FRIDGE + 0.1
    feed_hourly(water, w_day * 14)
    feed_hourly(power, p_day * 14)
    care_profiles_refresh(now=at(14 * 24))
    steady = spells(person.household.unit_id, "steady")
    assert steady[19] == 3 and 12 not in steady  # steady from the second hour on (it must not change)
    assert T0  # the fixed clock of the factories
