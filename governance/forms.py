from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("Username or mobile"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    error_messages = {
        "invalid_login": _("The username/mobile or password is wrong. Check them and try again; "
                           "after several failures the account is locked for a while."),
        "inactive": _("This account is inactive."),
    }
