"""Related ids on input, scoped like everything else: a grid worker who posts a visit for a
person of another community gets the same 400 "does not exist" as for an id that was never
used, not a 404 that tells the hidden row is there (ROLES.md: ids leak nothing).

    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all())              # access.scope(…, "view")
    class VisitSerializer(ScopedModelSerializer): ...                                 # every FK it builds, scoped

A field whose choices are deliberately not scoped (a new resident registering names a unit
they do not live in yet) says so with `scope=ALL_ROWS` and why, next to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance import access
from governance.validators import plausible_moment


def ALL_ROWS(queryset: QuerySet, user) -> QuerySet:  # noqa: N802  (a named policy, read like a constant)
    return queryset


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def __init__(self, *, action: str = "view", scope: Callable[[QuerySet, Any], QuerySet] | None = None, **kwargs):
        self.access_action = action
        self.scope_fn = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        assert queryset is not None, "a scoped related field needs a queryset"
        request = self.context.get("request")
        if request is None:  # a view that forgot the context would scope to nobody, silently
            raise RuntimeError(f"{type(self.root).__name__} needs context={{'request': request}} to scope its ids")
        user = request.user
        if self.scope_fn is not None:
            return self.scope_fn(queryset, user)
        return access.scope(queryset, user, self.access_action)


class PlausibleDateTimeField(serializers.DateTimeField):
    """A moment between 1970 and 2100 with an offset within ±14 h (validators.plausible_moment)."""

    default_error_messages = {"implausible": _("Enter a date between 1970 and 2100 with a real time zone.")}

    def enforce_timezone(self, value):
        # Judged as sent, before DRF moves it into the server's zone (which hides the offset).
        if not plausible_moment(value):
            self.fail("implausible")
        return super().enforce_timezone(value)


class ScopedModelSerializer(serializers.ModelSerializer):
    # A ModelSerializer whose generated foreign-key fields accept only rows the caller may view,
    # and whose date-times are plausible ones. (A comment, not a docstring: the OpenAPI schema
    # would describe every serializer with it.)
    serializer_related_field = ScopedPrimaryKeyRelatedField
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DateTimeField: PlausibleDateTimeField}
