"""回访 deadline: a closed order owes a follow-up call by closed_at + the rules' limit (working
days by default, from governance.workdays); staff see what is owed and what is overdue."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from governance import workdays
from workorders import selectors, services
from workorders.choices import Status
from workorders.models import WorkOrder, WorkorderRules

from .test_rules_admin import closed_order

pytestmark = pytest.mark.django_db


def later(order, days):
    return mock.patch("workorders.clock.now", return_value=order.closed_at + dt.timedelta(days=days))


def test_closing_sets_the_followup_deadline_in_working_days(world, make_order):
    order = closed_order(world, make_order)
    assert order.followup_due_at == workdays.deadline(order.closed_at, 2, "work_days").at
    assert order.followup_due_at > order.closed_at and order.followed_up_at is None
    assert order.followup_owed and not order.followup_overdue


def test_the_district_rule_sets_the_followup_limit(world, make_order):
    WorkorderRules.objects.create(followup_limit=5, followup_unit="days")
    order = closed_order(world, make_order)
    assert order.followup_due_at == order.closed_at + dt.timedelta(days=5)


def test_owed_then_overdue_then_done(world, make_order):
    u = world.users
    order = closed_order(world, make_order)
    other = make_order()  # open: owes no follow-up
    assert other.followup_due_at is None
    zhao = u["zhao_community"]
    assert list(selectors.followups_due(zhao)) == [order]
    assert list(selectors.followups_due(zhao, overdue_only=True)) == []
    counts = selectors.queue_counts(selectors.orders(zhao))
    assert (counts["followup"], counts["followup_overdue"]) == (1, 0)
    with later(order, 10):
        assert list(selectors.followups_due(zhao, overdue_only=True)) == [order]
        counts = selectors.queue_counts(selectors.orders(zhao))
        assert (counts["followup"], counts["followup_overdue"]) == (1, 1)
        assert WorkOrder.objects.get(pk=order.pk).followup_overdue
    # The street sees it; another community's staff and a department (no 回访 right) do not.
    assert list(selectors.followups_due(u["chen_street"])) == [order]
    assert list(selectors.followups_due(u["he_community"])) == []
    assert list(selectors.followups_due(u["sun_department"])) == []
    services.followup_record(order=order, actor=zhao, contacted_in_time=True, solved=True, satisfaction="satisfied")
    order.refresh_from_db()
    assert order.followed_up_at is not None and not order.followup_owed
    assert list(selectors.followups_due(zhao)) == []
    assert selectors.queue_counts(selectors.orders(zhao))["followup"] == 0


def test_the_reporters_portal_answer_counts_and_reopen_clears_the_deadline(world, make_order):
    u = world.users
    order = closed_order(world, make_order)
    services.followup_record(order=order, actor=u["wang_resident"], contacted_in_time=True, solved=False,
                             satisfaction="unsatisfied")
    order.refresh_from_db()
    assert not order.followup_owed
    order = services.order_reopen(order=order, actor=u["wang_resident"], reason="杂物又堆回来了")
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.followup_due_at is None
    services.order_start(order=order, actor=u["li_gridworker"])
    services.order_handle(order=order, actor=u["li_gridworker"], note="再次清理")
    order = services.order_verify_close(order=order, actor=u["zhao_community"])
    assert order.followup_owed  # a new close owes a new 回访


def test_admin_queue_filter_and_staff_page(world, make_order, client_for):
    order = closed_order(world, make_order)
    make_order()
    admin_list = reverse("admin:workorders_workorder_changelist")
    c = client_for("chen_street")
    r = c.get(admin_list, {"queue": "followup"})
    assert r.status_code == 200 and list(r.context["cl"].result_list) == [order]
    assert list(c.get(admin_list, {"queue": "followup_overdue"}).context["cl"].result_list) == []
    with later(order, 10):
        assert list(c.get(admin_list, {"queue": "followup_overdue"}).context["cl"].result_list) == [order]
        r = client_for("zhao_community").get(reverse("workorders:staff"), {"scope": "followup"})
    assert r.status_code == 200
    assert [o.pk for o in r.context["page"]] == [order.pk]
    assert r.context["counts"]["followup_overdue"] == 1
    assert 'data-testid="followup-due"' in r.content.decode()


def _backfill(chunk=1):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps as django_apps
    from django.db import connection

    migration = importlib.import_module("workorders.migrations.0008_backfill_followup_due")
    # the function only reads schema_editor.connection (SQLite refuses a real editor inside a test's transaction)
    migration.backfill_followup_due(django_apps, SimpleNamespace(connection=connection), chunk=chunk)


def test_the_migration_backfills_orders_closed_before_the_deadline_existed(world, make_order):
    """Orders closed before 0006: the due moment the closing service would have set, and the
    first answer after closing marks the follow-up done (so an answered order is not owed)."""
    u = world.users
    unanswered = closed_order(world, make_order)
    answered = closed_order(world, make_order)
    services.followup_record(order=answered, actor=u["wang_resident"], contacted_in_time=True, solved=True,
                             satisfaction="satisfied")
    answer_at = answered.followups.get().at
    still_open = make_order()
    WorkOrder.objects.update(followup_due_at=None, followed_up_at=None)  # as before 0006
    _backfill()
    unanswered.refresh_from_db()
    answered.refresh_from_db()
    assert unanswered.followup_due_at == workdays.deadline(unanswered.closed_at, 2, "work_days").at
    assert unanswered.followed_up_at is None and unanswered.followup_owed
    assert answered.followup_due_at == workdays.deadline(answered.closed_at, 2, "work_days").at
    assert answered.followed_up_at == answer_at and not answered.followup_owed
    assert WorkOrder.objects.get(pk=still_open.pk).followup_due_at is None
    # a second run changes nothing; the district's own limit is the one applied
    _backfill()
    assert WorkOrder.objects.get(pk=unanswered.pk).followup_due_at == unanswered.followup_due_at
    WorkorderRules.objects.create(followup_limit=5, followup_unit="days")
    WorkOrder.objects.filter(pk=unanswered.pk).update(followup_due_at=None)
    _backfill(chunk=500)
    assert WorkOrder.objects.get(pk=unanswered.pk).followup_due_at == unanswered.closed_at + dt.timedelta(days=5)
