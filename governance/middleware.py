"""Keeps who is asking and from where for the length of a request, so services can
write audit events without every caller passing the request through."""

import contextvars

from django.utils import translation

current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


def client_ip(request) -> str | None:
    # Behind the proxy of docs/deploy.md the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
