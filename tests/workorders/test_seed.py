import pytest

from workorders.choices import Status
from workorders.models import FollowUp, OrderApplication, TimelineEntry, WorkOrder
from workorders.seed import seed

pytestmark = pytest.mark.django_db


def test_seed_covers_every_state_and_is_idempotent(world):
    seed(world)
    counts = (WorkOrder.objects.count(), TimelineEntry.objects.count(), FollowUp.objects.count())
    assert set(WorkOrder.objects.values_list("status", flat=True)) == set(Status.values)
    assert WorkOrder.objects.filter(parked=True).exists() and WorkOrder.objects.filter(appealed=True).exists()
    assert WorkOrder.objects.filter(overdue=True).exists() and WorkOrder.objects.filter(rework_count__gt=0).exists()
    assert OrderApplication.objects.filter(kind="extension", status="approved").exists()
    assert WorkOrder.objects.filter(channel="12345").exists() and WorkOrder.objects.filter(channel="patrol").exists()
    assert WorkOrder.objects.filter(region_path__startswith=world.streets[1].path).exists()
    seed(world)
    assert (WorkOrder.objects.count(), TimelineEntry.objects.count(), FollowUp.objects.count()) == counts
