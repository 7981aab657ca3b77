"""Forms of the portal shell (login)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Username or mobile + password. Wrong input says what to check and that repeated
    failures lock the account for a while (django-axes)."""

    username = forms.CharField(
        label=_("Username or mobile"), max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("The username/mobile or password is wrong. Check them and try again; "
                           "after several failures the account is locked for a while."),
        "inactive": _("This account is inactive."),
    }
