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


class RefuseNulMiddleware:
    """A NUL character in a query parameter or a form field (or its name) is refused with a 400
    naming the field, before any view sees it: PostgreSQL cannot store or even compare it in text,
    so `?q=%00` on a search once reached the database and answered 500. (JSON bodies: the API's
    SafeJSONParser; serializer and form fields also refuse it, but filters and hand-read query
    parameters do not.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = _nul_fields(request.GET)
        if not bad and request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            bad = _nul_fields(request.POST) + [f"{name}" for name, upload in request.FILES.items()
                                                if "\x00" in (upload.name or "")]
        if "\x00" in request.path:
            bad.append("path")
        if bad:
            return _bad_input_response(request, bad)
        return self.get_response(request)


def _nul_fields(query) -> list[str]:
    return [key for key, values in query.lists() if "\x00" in key or any("\x00" in v for v in values)]


def _bad_input_response(request, fields):
    from django.http import HttpResponseBadRequest, JsonResponse
    from django.utils.translation import gettext as _

    from governance.api.parsers import NUL_MESSAGE  # one wording for query, form and JSON
    from governance.errors import error_body

    message = str(NUL_MESSAGE)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("invalid", _("Please correct the fields marked."),
                                       {f: [message] for f in fields}), status=400)
    return HttpResponseBadRequest(message)
