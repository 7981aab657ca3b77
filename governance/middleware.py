"""Keeps who is asking and from where for the length of a request, so services can
write audit events without every caller passing the request through."""

import contextvars
import ipaddress

from django.conf import settings
from django.utils import translation

current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address. X-Forwarded-For is believed only behind our own proxy
    (TRUST_X_FORWARDED_FOR, docs/deploy.md), and only if it is a well-formed address:
    a forged header must neither break an audit write nor dodge a per-IP limit."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = _valid_ip(forwarded.split(",")[0]) if forwarded else None
        if ip:
            return ip
    return _valid_ip(request.META.get("REMOTE_ADDR"))


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        user = getattr(request, "user", None)
        # A logged-in user's saved language wins over the browser's, unless the URL/cookie chose one.
        if user is not None and user.is_authenticated and user.language and not request.COOKIES.get("django_language"):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
