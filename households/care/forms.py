from django import forms
from django.utils.translation import gettext_lazy as _

from households.care.models import Outcome, VisitHelp


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[c for c in Outcome.choices])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class VisitForm(forms.Form):
    helpers = forms.ChoiceField(label=_("With"), choices=VisitHelp.choices, required=False)
    note = forms.CharField(label=_("Note"), required=False)


class AwayForm(forms.Form):
    # The queryset is set per user in __init__ (only persons the user may set away flags for).
    person: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Person"), queryset=None)
    starts_at = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons
