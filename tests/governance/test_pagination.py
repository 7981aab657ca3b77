"""IdsFirstPaginator: the same pages as Django's Paginator, in two queries each, related rows joined."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import Region
from governance.pagination import IdsFirstPaginator

pytestmark = pytest.mark.django_db


def test_same_pages_as_django_paginator_with_related_rows_joined(world):
    qs = Region.objects.select_related("parent").order_by("level", "-name", "pk")
    assert qs.count() > 7
    plain, ours = Paginator(qs, 3, orphans=1), IdsFirstPaginator(qs, 3, orphans=1)
    assert ours.num_pages == plain.num_pages
    for number in plain.page_range:
        expected = [r.pk for r in plain.page(number)]
        with CaptureQueriesContext(connection) as ctx:
            page = ours.page(number)
            parents = [r.parent.name if r.parent else None for r in page]  # joined: no query per row
        assert [r.pk for r in page] == expected
        assert len(parents) == len(expected)
        assert len(ctx) == 2, [q["sql"] for q in ctx]
        assert page.has_next() == plain.page(number).has_next()


def test_an_empty_list_has_one_empty_page():
    page = IdsFirstPaginator(Region.objects.none(), 10).page(1)
    assert list(page) == [] and page.number == 1
