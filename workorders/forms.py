from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from workorders.choices import (
    APPEAL_REASONS,
    NON_DISPATCH_REASONS,
    PARK_REASONS,
    Channel,
    LimitUnit,
    Satisfaction,
    Urgency,
)
from workorders.models import Category, RequestType


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one input; each is checked by the service (type, size, EXIF)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What is the problem?"),
        queryset=Category.objects.filter(parent__isnull=False, active=True).select_related("parent"))
    request_type = forms.ModelChoiceField(label=_("Kind of request"), queryset=RequestType.objects.all(),
                                          required=False)
    description = forms.CharField(label=_("Describe it"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    lon = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=10, decimal_places=6)
    lat = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=10, decimal_places=6)
    # Quoted: Django form fields are not subscriptable at run time.
    building: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("Or pick the building"), queryset=None, required=False)
    address = forms.CharField(label=_("Where exactly (optional)"), max_length=200, required=False)
    photos = MultipleFileField(label=_("Photos (up to 3)"), required=False,
                             widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp",
                                                             "capture": "environment"}))

    def __init__(self, *args, buildings=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["building"]).queryset = buildings


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("What is still wrong?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class FollowUpForm(forms.Form):
    contacted_in_time = forms.TypedChoiceField(label=_("Were you contacted in time?"),
                                               choices=[("1", _("Yes")), ("0", _("No"))], coerce=lambda v: v == "1",
                                               widget=forms.RadioSelect)
    solved = forms.TypedChoiceField(label=_("Is the problem solved?"),
                                    choices=[("1", _("Solved (已解决)")), ("0", _("Not solved (未解决)"))],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label=_("How satisfied are you?"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=2000)


REASONS = {"reject": NON_DISPATCH_REASONS, "park": PARK_REASONS, "appeal": APPEAL_REASONS}
UNITS = LimitUnit.choices


class StaffReportForm(ReportForm):
    """Filed by staff for a caller (phone, walk-in) or from a patrol or a home visit."""

    channel = forms.ChoiceField(label=_("Channel"), choices=[(c.value, c.label) for c in (
        Channel.PHONE, Channel.WALK_IN, Channel.PATROL, Channel.VISIT, Channel.HOTLINE_12345)])
    contact_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Caller's phone"), max_length=20, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)

    field_order = ["channel", "contact_name", "contact_phone", "category", "request_type", "urgency", "description",
                   "building", "address", "photos"]
