"""What a request gets when something below the view fails — Django's handler400/403/404/500.

* Under /api/ the answer is the error contract (`{"error": {...}}`), never an HTML page: a body
  over the size limit, a NUL byte in a query or a database gone away reaches an integrator as JSON.
* A database that is unreachable (the server down, the pool exhausted) is a **503** with
  Retry-After, not a 500: nothing was written (services run in transactions) and retrying later
  is right. Its page is standalone: it needs no database and no context processor.
* The pages render without the static manifest: `StaticStorage` falls back to the plain URL for
  a file missing from it, so a 500 page can never crash on its own stylesheet.
"""

from __future__ import annotations

import logging
import sys

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from whitenoise.storage import CompressedManifestStaticFilesStorage

from governance.errors import Forbidden, NotFound, error_body

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class StaticStorage(CompressedManifestStaticFilesStorage):
    """The production static storage, lenient about files missing from the manifest (before
    collectstatic, or a file added since): the plain URL with a warning instead of a ValueError
    that turns every page — the error pages first — into a crash."""

    manifest_strict = False

    def url(self, name, force=False):
        try:
            return super().url(name, force)
        except ValueError:
            log.warning("static file %r is not in the manifest: run collectstatic", name)
            return StaticFilesStorage.url(self, name)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _database_unavailable() -> bool:
    exc = sys.exc_info()[1]
    return isinstance(exc, OperationalError | InterfaceError)


def bad_request(request, exception=None):
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    too_large = isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
    if _is_api(request) and too_large:
        return JsonResponse(error_body("request_too_large", _("The request body is too large.")), status=413)
    if _is_api(request):
        return JsonResponse(error_body("invalid", _("The request could not be read.")), status=400)
    if too_large:
        return HttpResponse(_("The request body is too large."), status=413, content_type="text/plain")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(Forbidden.code, Forbidden.default_message), status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(NotFound.code, NotFound.default_message), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _database_unavailable():
        log.warning("database unavailable: %s %s answered 503", request.method, request.path)
        message = _("The service is briefly unavailable. Nothing was saved; please try again in a moment.")
        if _is_api(request):
            response: HttpResponse = JsonResponse(error_body("unavailable", message), status=503)
        else:
            response = HttpResponse(loader.get_template("503.html").render({"message": message}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _is_api(request):
        return JsonResponse(error_body("server_error", _("Something went wrong. The error has been logged.")),
                            status=500)
    return defaults.server_error(request)
