"""Query-count helpers: a list must cost the same number of queries for 5 rows as for 50."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def assert_constant_queries(make_rows, fetch, small=3, large=20):
    """make_rows(n) adds n more rows; fetch() reads the list. Asserts the count does not grow."""
    make_rows(small)
    first = count_queries(fetch)
    make_rows(large - small)
    second = count_queries(fetch)
    assert first == second, f"query count grew with rows: {first} for {small} rows, {second} for {large}"
    return first
