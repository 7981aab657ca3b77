from django import forms
from django.utils.translation import gettext_lazy as _


class SmsLoginForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile"), max_length=20,
                             widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    code = forms.CharField(label=_("Code"), max_length=6, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
