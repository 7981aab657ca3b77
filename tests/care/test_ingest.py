from datetime import timedelta
from decimal import Decimal

import pytest

from households.care.models import HourlyUsage, Reading, ValueMode
from households.care.services import readings_ingest
from tests.care.factories import T0, watched_home

pytestmark = pytest.mark.django_db


def _row(meter, hours, value):
    return {"meter": meter.external_id, "ts": (T0 + timedelta(hours=hours)).isoformat(), "value": value}


def _hourly(meter):
    return {h - int(T0.timestamp()) // 3600: float(u) for h, u in HourlyUsage.objects.filter(meter=meter).values_list("hour", "usage")}


def test_same_batch_twice_is_stored_once(world):
    _person, water, _power = watched_home(world)
    rows = [_row(water, h, 0.01 * h) for h in range(1, 6)]
    first = readings_ingest(utility=water.utility, rows=rows, now=T0 + timedelta(hours=7))
    second = readings_ingest(utility=water.utility, rows=rows, now=T0 + timedelta(hours=8))
    assert (first.stored, first.duplicates) == (5, 0)
    assert (second.stored, second.duplicates) == (0, 5)
    assert Reading.objects.filter(meter=water).count() == 5
    assert _hourly(water) == {0: 0.01, 1: 0.02, 2: 0.03, 3: 0.04, 4: 0.05}


def test_duplicates_inside_a_batch_and_out_of_order(world):
    _person, water, _power = watched_home(world)
    rows = [_row(water, 3, 0.3), _row(water, 1, 0.1), _row(water, 3, 0.3), _row(water, 2, 0.2)]
    result = readings_ingest(utility=water.utility, rows=rows, now=T0 + timedelta(hours=5))
    assert (result.stored, result.duplicates, result.errors) == (3, 1, [])
    assert _hourly(water) == {0: 0.1, 1: 0.2, 2: 0.3}


def test_cumulative_deltas_out_of_order_fix_their_neighbours(world):
    _person, water, _power = watched_home(world, mode=ValueMode.CUMULATIVE)
    now = T0 + timedelta(hours=10)
    readings_ingest(utility=water.utility, rows=[_row(water, 0, 100.0), _row(water, 1, 100.5),
                                                  _row(water, 3, 101.5)], now=now)
    # hour 2's reading arrives late: hour 2 (101.5 - 100.5 = 1.0) must split into 0.25 + 0.75
    assert _hourly(water) == {0: 0.5, 2: 1.0}
    readings_ingest(utility=water.utility, rows=[_row(water, 2, 100.75)], now=now + timedelta(minutes=1))
    assert _hourly(water) == {0: 0.5, 1: 0.25, 2: 0.75}


def test_counter_reset_and_rollover(world):
    _person, water, power = watched_home(world, mode=ValueMode.CUMULATIVE)
    power.rollover = Decimal("99999.000")
    power.save()
    now = T0 + timedelta(hours=10)
    readings_ingest(utility=water.utility, rows=[_row(water, 0, 50.0), _row(water, 1, 51.0), _row(water, 2, 0.4)],
                    now=now)
    assert _hourly(water) == {0: 1.0, 1: 0.4}  # replaced meter / reset: counts from zero
    readings_ingest(utility=power.utility, rows=[_row(power, 0, 99998.0), _row(power, 1, 0.5)], now=now)
    assert _hourly(power) == {0: 1.5}  # rolled over at 99999


def test_row_errors_keep_the_good_rows(world):
    _person, water, power = watched_home(world)
    _other, other_water, _ = watched_home(world)
    now = T0 + timedelta(hours=5)
    rows = [
        _row(water, 1, 0.1),
        {"meter": water.external_id, "ts": "yesterday", "value": 1},
        {"meter": "NO-SUCH", "ts": (T0 + timedelta(hours=1)).isoformat(), "value": 1},
        _row(water, 2, -0.5),
        {"meter": water.external_id, "ts": "2026-10-01T10:00:00", "value": 1},
        _row(water, 30, 0.1),
        _row(power, 1, 0.1),  # another utility's meter: unknown to this token's utility
        "junk",
        _row(water, 2, "abc"),
    ]
    result = readings_ingest(utility=water.utility, rows=rows, now=now)
    assert result.stored == 1
    assert [(e["index"], e["field"]) for e in result.errors] == [
        (1, "ts"), (2, "meter"), (3, "value"), (4, "ts"), (5, "ts"), (6, "meter"), (7, ""), (8, "value")]
    assert Reading.objects.filter(meter__in=[water, power, other_water]).count() == 1


def test_batch_limit(world):
    from governance.errors import ValidationFailed

    _person, water, _power = watched_home(world)
    with pytest.raises(ValidationFailed):
        readings_ingest(utility=water.utility, rows=[_row(water, 1, 0)] * 5001)


def test_purge_keeps_rollups_longer(world):
    from households.care.services import readings_purge

    _person, water, _power = watched_home(world)
    readings_ingest(utility=water.utility, rows=[_row(water, 1, 0.1)], now=T0 + timedelta(hours=2))
    purged = readings_purge(now=T0 + timedelta(days=100))
    assert purged["readings"] == 1 and purged["hourly"] == 0
    assert HourlyUsage.objects.filter(meter=water).exists()


def test_meters_far_apart_in_one_batch_and_last_reading_never_goes_back(world):
    # Each meter's deltas and roll-up are recomputed over its own touched hours only.
    _person, water, _power = watched_home(world, mode=ValueMode.CUMULATIVE)
    _other, water2, _power2 = watched_home(world, mode=ValueMode.CUMULATIVE)
    now = T0 + timedelta(hours=300)
    readings_ingest(utility=water.utility, rows=[_row(water, 200, 10.0), _row(water, 202, 11.0)], now=now)
    readings_ingest(utility=water.utility, rows=[_row(water2, 2, 5.0), _row(water2, 1, 4.0),
                                                  _row(water, 201, 10.25), _row(water, 0, 9.0)], now=now)
    assert _hourly(water) == {200: 0.25, 201: 0.75}
    assert _hourly(water2) == {1: 1.0}
    water.refresh_from_db()
    water2.refresh_from_db()
    assert water.last_reading_at == T0 + timedelta(hours=202)  # a late, older reading does not move it back
    assert water2.last_reading_at == T0 + timedelta(hours=2)


def test_a_stored_reading_between_two_new_ones_wins_over_the_batch_order(world):
    # Inside the batch hour 3 follows hour 1, but the stored hour-2 reading sits between them.
    _person, water, _power = watched_home(world, mode=ValueMode.CUMULATIVE)
    now = T0 + timedelta(hours=10)
    readings_ingest(utility=water.utility, rows=[_row(water, 0, 100.0), _row(water, 2, 101.0)], now=now)
    readings_ingest(utility=water.utility, rows=[_row(water, 3, 103.0), _row(water, 1, 100.25)], now=now)
    assert _hourly(water) == {0: 0.25, 1: 0.75, 2: 2.0}
    assert list(Reading.objects.filter(meter=water).order_by("ts").values_list("delta", flat=True)) == [
        None, Decimal("0.25"), Decimal("0.75"), Decimal("2.0")]



def test_deleting_a_meter_deletes_its_readings_and_hours(world):
    # The readings and hourly rows hold no database foreign key (models.Reading.meter says why):
    # the cascade is Django's, and it must leave no row behind, nor touch another meter's.
    _person, water, power = watched_home(world)
    now = T0 + timedelta(hours=5)
    readings_ingest(utility=water.utility, rows=[_row(water, h, 0.01) for h in (1, 2, 3)], now=now)
    readings_ingest(utility=power.utility, rows=[_row(power, h, 0.1) for h in (1, 2)], now=now)
    water_id = water.pk
    water.delete()
    assert not Reading.objects.filter(meter_id=water_id).exists()
    assert not HourlyUsage.objects.filter(meter_id=water_id).exists()
    assert (Reading.objects.filter(meter=power).count(), HourlyUsage.objects.filter(meter=power).count()) == (2, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_meeting_a_meter_being_deleted_waits_and_leaves_no_orphan(world):
    # Without a database FK the batch's statement holds its meters (FOR KEY SHARE): a batch for a
    # meter whose deletion is not yet committed waits for it, then stores nothing for that meter.
    import threading
    import time

    from django.db import connection, connections, transaction

    _person, water, _power = watched_home(world)
    water_id, results = water.pk, {}

    def ingest():
        try:
            results["stored"] = readings_ingest(utility=water.utility, rows=[_row(water, 1, 0.1)],
                                                now=T0 + timedelta(hours=2)).stored
        finally:
            connections.close_all()

    with transaction.atomic():
        water.delete()
        batch = threading.Thread(target=ingest)
        batch.start()
        waiting, deadline = False, time.monotonic() + 10
        with connection.cursor() as cursor:
            while not waiting and time.monotonic() < deadline:
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # else it is read once per transaction
                cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                               "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock')")
                waiting = cursor.fetchone()[0]
                time.sleep(0.05)
    batch.join(10)
    assert waiting and results == {"stored": 0}
    assert not Reading.objects.filter(meter_id=water_id).exists()
    assert not HourlyUsage.objects.filter(meter_id=water_id).exists()

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deleting_a_meter_waits_for_a_batch_under_way_and_deletes_its_rows_too(world):
    # A batch holding the meter (as the ingest statement does) commits a reading while the meter is
    # being deleted: the deletion locks the meter first, so its cascade sees and deletes that row.
    import threading
    import time

    from django.db import connection, connections, transaction

    _person, water, _power = watched_home(world)
    water_id, held = water.pk, threading.Event()

    def batch():
        try:
            with transaction.atomic(), connections["default"].cursor() as cursor:
                cursor.execute(f"SELECT id FROM {water._meta.db_table} WHERE id = %s FOR KEY SHARE", [water_id])
                Reading.objects.create(meter_id=water_id, ts=T0, value=1, delta=1, hour=0, received_at=T0)
                HourlyUsage.objects.create(meter_id=water_id, hour=0, usage=1)
                held.set()
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:  # commit only once the deletion waits for us
                    cursor.execute("SELECT pg_stat_clear_snapshot()")
                    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                                   "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock')")
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.05)
        finally:
            connections.close_all()

    thread = threading.Thread(target=batch)
    thread.start()
    assert held.wait(10)
    water.delete()
    thread.join(10)
    assert connection.vendor == "postgresql"
    assert not Reading.objects.filter(meter_id=water_id).exists()
    assert not HourlyUsage.objects.filter(meter_id=water_id).exists()


# --- device alerts close themselves when the meters report again ----------------------------

def _device_alert(world, person, now, state="open"):
    from tests.care.factories import make_alert

    return make_alert(world, kind="device", state=state, person=person, now=now)


@pytest.mark.parametrize("state", ["open", "acknowledged"])
def test_device_alert_closes_when_every_meter_reports_again(world, state):
    from households.care.models import AlertEvent, AlertState, Outcome

    person, water, power = watched_home(world)
    now = T0 + timedelta(hours=10)
    alert = _device_alert(world, person, now, state)  # silent since hour 5
    since = alert.since_hour * 3600
    assert since == int((T0 + timedelta(hours=5)).timestamp())
    # water reports again, power is still silent: the alert stays
    result = readings_ingest(utility=water.utility, rows=[_row(water, 6, 0.01)], now=now)
    alert.refresh_from_db()
    assert alert.state == state and result.devices_back == []
    # power reports too: the system closes it, with an outcome, a note and a timeline row
    result = readings_ingest(utility=power.utility, rows=[_row(power, 7, 0.1), _row(power, 8, 0.1)],
                             now=now + timedelta(minutes=1))
    alert.refresh_from_db()
    assert result.devices_back == [alert.pk]
    assert (alert.state, alert.outcome, alert.resolved_at) == (AlertState.RESOLVED, Outcome.DEVICE_FIXED,
                                                               now + timedelta(minutes=1))
    assert alert.note
    event = AlertEvent.objects.filter(alert=alert).order_by("-id").first()
    assert (event.action, event.actor, event.from_state, event.to_state) == ("resolve", None, state, "resolved")
    # the next batch changes nothing more
    result = readings_ingest(utility=power.utility, rows=[_row(power, 9, 0.1)], now=now + timedelta(minutes=2))
    assert result.devices_back == [] and AlertEvent.objects.filter(alert=alert, action="resolve").count() == 1


def test_old_readings_and_care_alerts_are_left_alone(world):
    from tests.care.factories import make_alert

    person, water, power = watched_home(world)
    now = T0 + timedelta(hours=10)
    alert = _device_alert(world, person, now)
    care = make_alert(world, kind="no_life", person=person, now=now)
    # late readings from before the silence say nothing about the meter now
    readings_ingest(utility=water.utility, rows=[_row(water, 3, 0.01), _row(water, 4, 0.01)], now=now)
    readings_ingest(utility=power.utility, rows=[_row(power, 4, 0.1), _row(power, 5, 0.1)], now=now)
    alert.refresh_from_db()
    assert alert.state == "open"
    readings_ingest(utility=water.utility, rows=[_row(water, 9, 0.01)], now=now)
    result = readings_ingest(utility=power.utility, rows=[_row(power, 9, 0.1)], now=now)
    alert.refresh_from_db()
    care.refresh_from_db()
    assert result.devices_back == [alert.pk] and alert.state == "resolved"
    assert care.state == "open"  # water and power coming back is no answer to a care alert


def test_a_home_whose_meters_never_went_silent_is_not_touched(world):
    person, water, power = watched_home(world)
    _other, other_water, _other_power = watched_home(world)
    now = T0 + timedelta(hours=10)
    alert = _device_alert(world, person, now)
    result = readings_ingest(utility=water.utility, rows=[_row(other_water, 9, 0.01)], now=now)
    alert.refresh_from_db()
    assert result.devices_back == [] and alert.state == "open"


def test_values_of_every_kind_are_rounded_alike_on_every_database(world):
    # JSON numbers, numeric strings, Decimals and datetimes (Python callers) are all accepted;
    # values are kept to 4 places, half away from zero, whatever the database.
    _person, water, _power = watched_home(world)
    now = T0 + timedelta(hours=10)
    rows = [_row(water, 1, 0.00005), _row(water, 2, "1.23455"), _row(water, 3, Decimal("2.5")), _row(water, 4, 3),
            {"meter": water.external_id, "ts": T0 + timedelta(hours=5), "value": 0.25}]
    result = readings_ingest(utility=water.utility, rows=rows, now=now)
    assert (result.stored, result.errors) == (5, [])
    assert list(Reading.objects.filter(meter=water).order_by("ts").values_list("value", flat=True)) == [
        Decimal("0.0001"), Decimal("1.2346"), Decimal("2.5"), Decimal("3"), Decimal("0.25")]
    assert _hourly(water) == {0: 0.0001, 1: 1.2346, 2: 2.5, 3: 3.0, 4: 0.25}
