"""Authentication backends: username or mobile + password; mobile + one-time SMS code."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        username = username.strip()
        user = User.objects.filter(Q(username=username) | Q(mobile=username)).order_by("pk").first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle for unknown names
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_identity(request, credentials=None) -> str | None:
    """The name django-axes counts failures under (AXES_USERNAME_CALLABLE): the account's own
    username whichever identifier was typed — username, mobile, or the mobile of an SMS-code
    login — so one account has one lock. A name that is no account is counted as typed."""
    typed = None
    for source in (credentials or {}, getattr(request, "data", None) or {}, getattr(request, "POST", None) or {}):
        typed = source.get("username") or source.get("mobile")
        if typed:
            break
    if not typed or not isinstance(typed, str):
        return None
    typed = typed.strip()
    User = get_user_model()
    username = User.objects.filter(Q(username=typed) | Q(mobile=typed)).order_by("pk").values_list(
        "username", flat=True).first()
    return username or typed


class SmsCodeBackend(ModelBackend):
    """Logs a user in by mobile + a valid one-time code (see governance.notify.otp)."""

    # Django picks a backend by binding the credentials to this signature, so the keyword
    # names differ from ModelBackend's (username/password) on purpose.
    def authenticate(self, request, mobile=None, sms_code=None, **kwargs):  # type: ignore[override]
        if not mobile or not sms_code:
            return None
        from governance.notify.otp import verify_login_code

        user = verify_login_code(mobile=mobile, code=sms_code)
        if user is not None and self.user_can_authenticate(user):
            return user
        return None
