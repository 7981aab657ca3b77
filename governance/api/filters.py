"""Filters shared by every API: a date-time in a query means a real moment (a year between 1970
and 2100, an offset within ±14 h) — `?reported_after=1098-04-08T11:26+19:33` once reached
PostgreSQL, which refused the offset with a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from governance.validators import plausible_moment


class PlausibleIsoDateTimeField(IsoDateTimeField):
    def clean(self, value):
        moment = super().clean(value)
        if moment is not None and not plausible_moment(moment):
            raise forms.ValidationError(_("Enter a date between 1970 and 2100 with a real time zone."),
                                        code="implausible")
        return moment


class PlausibleIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = PlausibleIsoDateTimeField
