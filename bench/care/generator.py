"""Synthetic watched homes with labelled incidents, hour by hour (local time = Asia/Shanghai).

Each home has an archetype (regular, frugal, irregular sleeper, night shift, regular with guests,
regular with meter dropouts), trips away (with or without an away flag) and at most one labelled
incident in the evaluation period: a fall (no activity from then on, at any hour, asleep or awake)
or water left running (with or without the person falling too). Usage per hour:
water in m³, electricity in kWh (a fridge is always running).

Appliances left on (a documented assumption, drawn from a second random stream per home so the
homes, outings, trips and incidents are the same whatever these are):
* everyday habits that look like it: a television evening before bed on some days (power steady
  for 2–4 h, water now and then), dozing off with it on (1–3 h into the night), a light left on
  during some outings;
* `fall_leaves_on`: the share of falls after which an appliance that was on (a light, the
  television, a heater) stays on at a steady level — someone who goes out or to bed switches
  things off, someone lying on the floor does not. 0 means every fall leaves only the base load
  (as before); the bench reports results at several values. The level is 0.02–0.25 kWh an hour,
  so some of those appliances are too small to tell from the fridge."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

ARCHETYPES = [("regular", 0.30), ("frugal", 0.15), ("irregular", 0.15), ("night_shift", 0.10),
              ("guests", 0.15), ("dropouts", 0.15)]
INCIDENT_WINDOW_H = {"fall": 36, "water": 12}
FALL_LEAVES_ON = 0.5  # share of falls after which an appliance stays on (an assumption: see the README)
TV_EVENINGS = {"regular": 0.5, "frugal": 0.3, "irregular": 0.4, "night_shift": 0.4, "guests": 0.5, "dropouts": 0.5}
DOZE_WITH_TV = 0.08  # of TV evenings: falls asleep with it on
OUTING_LIGHT_ON = 0.15  # of outings: a light or a heater left on


@dataclass
class Incident:
    kind: str  # fall | water
    start: int  # hour index from the start of the series
    hours: int


@dataclass
class Trip:
    start: int
    end: int
    flagged: bool


@dataclass
class Home:
    key: str
    archetype: str
    water: list  # per hour; None = the meter sent nothing that hour
    power: list
    incidents: list[Incident] = field(default_factory=list)
    trips: list[Trip] = field(default_factory=list)
    water_cumulative: bool = False
    power_cumulative: bool = False


def _profile(archetype, rng):
    p = {"wake": 6.5, "bed": 21.5, "sd": 0.5, "p_water": 0.45, "p_light": 0.55, "cook": 0.8,
         "p_out": 0.35, "out_h": (1, 4), "toilet": 0.3, "guests": 0.0, "dropouts": 0}
    if archetype == "frugal":
        p.update(p_water=0.2, p_light=0.2, cook=0.5, toilet=0.15)
    elif archetype == "irregular":
        p.update(wake=7.5, bed=23.5, sd=1.6, p_water=0.35, p_light=0.45)
    elif archetype == "night_shift":
        p.update(wake=15.5, bed=31.5, sd=0.6)
    elif archetype == "guests":
        p.update(guests=0.12)
    elif archetype == "dropouts":
        p.update(dropouts=2)
    p["wake"] += rng.uniform(-0.7, 0.7)
    p["bed"] += rng.uniform(-0.7, 0.7)
    return p


def _runs(flags):
    """(start, end) of the runs of True in `flags`, end exclusive."""
    out, start = [], None
    for i, f in enumerate(list(flags) + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    return out


def _left_on(xr):
    return xr.uniform(0.02, 0.25)


def make_home(key: str, rng: random.Random, *, warmup_days: int, eval_days: int,
              fall_leaves_on: float = FALL_LEAVES_ON, tv_before_outings: bool = False) -> Home:
    xr = random.Random(f"{key}:appliances")  # a second stream: the main one is the same as without it
    archetype = rng.choices([a for a, _ in ARCHETYPES], [w for _, w in ARCHETYPES])[0]
    p = _profile(archetype, rng)
    days = warmup_days + eval_days
    n = days * 24
    awake = [False] * n
    for d in range(-1, days + 1):
        w = int(round(d * 24 + p["wake"] + rng.gauss(0, p["sd"])))
        b = int(round(d * 24 + p["bed"] + rng.gauss(0, p["sd"])))
        for h in range(max(w, 0), min(max(b, w + 6), n)):
            awake[h] = True
    home_here = [True] * n
    # Outings: shopping, the park, a clinic — the home is quiet though nothing is wrong.
    for d in range(days):
        if rng.random() < p["p_out"]:
            hours = [h for h in range(d * 24, d * 24 + 24) if awake[h]]
            if len(hours) > 6:
                length = rng.randint(*p["out_h"]) if rng.random() > 0.1 else rng.randint(5, 7)
                start = rng.choice(hours[1:-length]) if len(hours) > length + 1 else hours[0]
                for h in range(start, min(start + length, n)):
                    home_here[h] = False
    trips = []
    if eval_days >= 7 and rng.random() < 0.5:  # a trip to the family, 2–5 days, in the evaluation period
        start = warmup_days * 24 + rng.randint(24, eval_days * 24 - 6 * 24)
        end = start + rng.randint(48, 120)
        trips.append(Trip(start, end, flagged=rng.random() < 0.5))
        for h in range(start, min(end, n)):
            home_here[h] = False
    guests = [False] * n
    for d in range(days):
        if rng.random() < p["guests"]:
            for h in range(d * 24, min(d * 24 + rng.randint(24, 72), n)):
                guests[h] = True
    incidents = []
    if eval_days >= 3 and rng.random() < 0.55:
        kind = "fall" if rng.random() < 0.7 else "water"
        lo, hi = warmup_days * 24 + 24, n - INCIDENT_WINDOW_H[kind] - 1
        for _attempt in range(50):
            t = rng.randint(lo, hi)
            if all(t + 36 < tr.start - 24 or t > tr.end + 48 for tr in trips) and (kind == "fall" or awake[t]):
                incidents.append(Incident(kind, t, INCIDENT_WINDOW_H[kind]))
                break
    water, power, fridge_load = [], [], []
    fridge_phase = rng.random() * 6
    for h in range(n):
        hod = h % 24
        fridge = 0.035 + 0.012 * ((h + fridge_phase) % 3 - 1) + rng.uniform(-0.004, 0.004)
        w_use, e_use = 0.0, fridge
        active = home_here[h] and awake[h]
        boost = 2.0 if guests[h] else 1.0
        if active:
            if rng.random() < min(1.0, p["p_water"] * boost):
                w_use += rng.choice([0.006, 0.006, 0.01, 0.02, 0.04]) * boost
            if rng.random() < min(1.0, p["p_light"] * boost):
                e_use += rng.uniform(0.07, 0.25)
            meal = (hod in (7, 12, 18)) if p["wake"] < 12 else (hod in (16, 21, 2))
            if meal and rng.random() < p["cook"]:
                e_use += rng.uniform(0.3, 1.0)
                w_use += 0.01
            if guests[h] and rng.random() < 0.15:
                w_use += 0.08  # a guest's long shower
        elif home_here[h] and not awake[h] and rng.random() < p["toilet"] / 8:
            w_use += 0.006  # a night-time flush
        water.append(w_use)
        power.append(e_use)
        fridge_load.append(fridge)
    trip_hours = {h for tr in trips for h in range(tr.start, tr.end)}
    for start, end in _runs(awake[h] and home_here[h] for h in range(n)):
        # Television before bed: a stretch awake at home that ends in sleep. Until 2026-11-25 the
        # generator put it before every outing too (a stretch ending while still awake), which is
        # not what was meant; `tv_before_outings` brings that back for comparison.
        if end < n and awake[end] and not tv_before_outings:
            continue
        if end - start >= 4 and xr.random() < TV_EVENINGS[archetype]:
            length, level = xr.randint(2, 4), xr.uniform(0.05, 0.15)
            tail = xr.randint(1, 3) if xr.random() < DOZE_WITH_TV and end < n and awake[end - 1] else 0
            for h in range(max(start, end - length), min(end + tail, n)):
                if not home_here[h]:
                    break
                power[h] = fridge_load[h] + level
                if h >= end or xr.random() < 0.5:
                    water[h] = 0.0
    for start, end in _runs(not home_here[h] and h not in trip_hours for h in range(n)):
        if xr.random() < OUTING_LIGHT_ON:
            level = _left_on(xr)
            for h in range(start, end):
                power[h] = fridge_load[h] + level
    for inc in incidents:
        fell = inc.kind == "fall" or rng.random() < 0.5
        flow = rng.uniform(0.1, 0.4)
        for h in range(inc.start, min(inc.start + inc.hours, n)):
            fridge = power[h] if power[h] < 0.06 else 0.035
            if fell:
                water[h], power[h] = 0.0, fridge
            if inc.kind == "water":
                water[h] += flow * rng.uniform(0.9, 1.1)
        if fell and xr.random() < fall_leaves_on:
            level = _left_on(xr)
            for h in range(inc.start, min(inc.start + inc.hours, n)):
                power[h] = fridge_load[h] + level
    for _ in range(p["dropouts"] * (days // 30 + 1)):
        series = water if rng.random() < 0.5 else power
        start = rng.randint(0, n - 40)
        for h in range(start, start + rng.randint(4, 30)):
            series[h] = None
    return Home(key=key, archetype=archetype, water=water, power=power, incidents=incidents, trips=trips,
                water_cumulative=rng.random() < 0.5, power_cumulative=rng.random() < 0.5)


def make_homes(seed: int, count: int, *, warmup_days: int, eval_days: int,
               fall_leaves_on: float = FALL_LEAVES_ON, tv_before_outings: bool = False) -> list[Home]:
    rng = random.Random(seed)
    return [make_home(f"s{seed}h{i:03d}", rng, warmup_days=warmup_days, eval_days=eval_days,
                      fall_leaves_on=fall_leaves_on, tv_before_outings=tv_before_outings) for i in range(count)]
