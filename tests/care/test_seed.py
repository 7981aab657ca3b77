from datetime import timedelta

import pytest
from django.utils import timezone

from households.care import seed as care_seed
from households.care.models import Alert, AlertKind, AlertState, Meter
from households.care.services import care_sweep

pytestmark = pytest.mark.django_db


def test_seed_has_every_state_is_idempotent_and_the_sweep_raises_a_fresh_alert(world):
    care_seed.seed(world)
    counts = (Meter.objects.count(), Alert.objects.count())
    care_seed.seed(world)
    assert (Meter.objects.count(), Alert.objects.count()) == counts
    assert set(Alert.objects.values_list("state", flat=True)) == set(AlertState.values)
    before = set(Alert.objects.values_list("pk", flat=True))
    result = care_sweep(now=timezone.now() + timedelta(minutes=15))
    fresh = [a for a in result.raised if a.pk not in before]
    assert AlertKind.NO_LIFE in [a.kind for a in fresh]  # the home that went quiet 20 hours ago (households/care/seed.py)
    assert AlertKind.DEVICE in [a.kind for a in fresh]  # the silent water meter
    away = Alert.objects.filter(person__away_flags__isnull=False, state="open")
    assert not away.exists()  # the person staying with her son raises nothing
