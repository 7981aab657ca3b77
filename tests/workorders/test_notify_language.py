"""Work-order notifications are written in the RECIPIENT's language (User.language, else the
site's), whoever acted and in whatever language their request ran."""

import datetime as dt

import pytest
from django.utils import translation

from governance.models import Notification
from tests.language import rendered_in, speaks
from workorders import services
from workorders.lifecycle import TRANSITIONS
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db




def test_a_chinese_actors_dispatch_tells_an_english_grid_worker_in_english(world, make_order):
    li = speaks(world.users["li_gridworker"], "en")
    with translation.override("zh-hans"):
        order = make_order("e0602")
        services.order_accept(order=order, actor=world.users["zhao_community"])
        services.order_dispatch(order=order, actor=world.users["zhao_community"], user=li, reason="网格员熟悉情况")
        services.order_supervise(order=order, actor=world.users["chen_street"], note="请尽快处理")
    titles = set(Notification.objects.filter(user=li, kind="workorder").values_list("title", flat=True))
    assert titles == {f"New order for you: {order.number}", f"Supervision (督办): {order.number}"}


def test_an_english_actors_step_tells_a_chinese_reporter_in_chinese(world, make_order):
    wang = world.users["wang_resident"]  # no language chosen: the site's, zh-hans
    liu = speaks(world.users["liu_district"], "en")
    order = make_order("e0602")
    with translation.override("en"):
        services.order_accept(order=order, actor=liu)
    row = Notification.objects.filter(user=wang, kind="workorder").latest("pk")
    label = TRANSITIONS["accept"].label
    with translation.override("zh-hans"):
        expected = translation.gettext("Your report %(number)s: %(step)s") % {"number": order.number, "step": label}
    assert row.title == expected
    assert row.title != rendered_in("en", f"Your report {order.number}: {rendered_in('en', label)}")


def test_the_sweep_tells_each_holder_in_their_own_language(world, make_order):
    sun = speaks(world.users["sun_department"], "en")
    chen = speaks(world.users["chen_street"], "zh-hans")
    order = make_order("e0401")  # 占道经营: 城管
    services.order_accept(order=order, actor=world.users["liu_district"])
    services.order_dispatch(order=order, actor=world.users["liu_district"])
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.due_at is not None and order.escalate_at is not None
    with translation.override("en"):
        services.sweep(order.due_at + dt.timedelta(minutes=1))
        services.sweep(order.escalate_at + dt.timedelta(minutes=1))
    assert Notification.objects.get(user=sun, dedup_key__startswith="wo:sweep:").title == "1 order is overdue"
    level2 = Notification.objects.get(user=chen, dedup_key__startswith="wo:sweep:l2:").title
    with translation.override("zh-hans"):
        expected = translation.ngettext("%(n)s overdue order raised to supervision (督办) level %(level)s",
                                         "%(n)s overdue orders raised to supervision (督办) level %(level)s", 1)
    assert level2 == expected % {"n": 1, "level": 2} and "overdue" not in level2
