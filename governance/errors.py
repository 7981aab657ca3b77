"""Domain errors and the one error contract of the API:
`{"error": {"code": ..., "message": ..., "fields": {...}}}` for every 4xx."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    """A business rule refused the request. Services raise these; every door shows them."""

    code: str = "invalid"
    status_code: int = status.HTTP_400_BAD_REQUEST
    default_message: StrOrPromise = _("The request is not valid.")

    def __init__(self, message=None, *, code=None, fields=None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(force_str(self.message))

    def __str__(self):
        return force_str(self.message)


class ValidationFailed(DomainError):
    code = "invalid"
    status_code = 400


class Forbidden(DomainError):
    code = "forbidden"
    status_code = 403
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError, Http404):
    """Also an Http404, so a portal view that lets it through answers Django's 404 page;
    the API's handler sees the DomainError first and answers the error contract."""

    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class IllegalTransition(DomainError):
    """409: the object's state does not allow the move. `allowed` lists what it does allow now
    ([{"action", "label"}], governance.statemachine), so a client can offer the right buttons."""

    code = "illegal_transition"
    status_code = 409
    default_message = _("This action is not possible in the current state.")

    def __init__(self, message=None, *, allowed=None, **kwargs):
        super().__init__(message, **kwargs)
        self.allowed = allowed


class Conflict(DomainError):
    code = "conflict"
    status_code = 409
    default_message = _("The request conflicts with the current state.")


def _fields_from_detail(detail) -> tuple[str, dict]:
    if isinstance(detail, dict):
        fields = {}
        for key, value in detail.items():
            if isinstance(value, list | tuple):
                fields[key] = [_flatten(v) for v in value]
            else:
                fields[key] = [_flatten(value)]
        non_field = fields.pop("non_field_errors", None)
        if non_field:
            return "; ".join(non_field), fields
        return force_str(_("Please correct the fields marked.")), fields
    if isinstance(detail, list):
        return "; ".join(_flatten(v) for v in detail), {}
    return force_str(detail), {}


def _flatten(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_flatten(v) for v in value)
    return force_str(value)


def _codes(exc) -> str:
    try:
        codes = exc.get_codes()
    except AttributeError:
        return "error"
    if isinstance(codes, str):
        return codes
    return "invalid"


def error_body(code: str, message, fields=None, *, allowed=None) -> dict:
    body = {"code": code, "message": force_str(message), "fields": fields or {}}
    if allowed is not None:
        body["allowed"] = allowed
    return {"error": body}


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        fields = {k: [force_str(m) for m in (v if isinstance(v, list | tuple) else [v])] for k, v in exc.fields.items()}
        return Response(error_body(exc.code, exc.message, fields, allowed=getattr(exc, "allowed", None)),
                        status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {k: [force_str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
            return Response(error_body("invalid", _("Please correct the fields marked."), fields), status=400)
        return Response(error_body("invalid", "; ".join(exc.messages)), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        if isinstance(exc, exceptions.ValidationError):
            message, fields = _fields_from_detail(exc.detail)
            code = "invalid"
        else:
            message, fields = _fields_from_detail(exc.detail)
            code = _codes(exc)
            if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
                code = "not_authenticated"
            elif isinstance(exc, exceptions.PermissionDenied):
                code = Forbidden.code  # one code for 403, whoever refused
            elif isinstance(exc, exceptions.NotFound):
                code = NotFound.code
        response.data = error_body(code, message, fields)
    return response
