"""The API's JSON parser, hardened: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413
before it is read whole (DRF reads the stream itself, past Django's limit), JSON nested too deep
for Python's parser is a 400 instead of a RecursionError (a 500), and a NUL character anywhere
in the data is a 400 naming where it is — PostgreSQL cannot store it in text, so it would
otherwise fail at the database, after validation."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


NUL_MESSAGE = _("This text contains a NUL character (\\u0000), which is not allowed.")


def nul_paths(data: Any, path: str = "") -> list[str]:
    """Where in parsed JSON a string (or key) holds a NUL character, as dotted paths."""
    if isinstance(data, str):
        return [path or "body"] if "\x00" in data else []
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                found.append(here)
            found += nul_paths(value, here)
        return found
    if isinstance(data, list):
        return [p for i, item in enumerate(data) for p in nul_paths(item, f"{path}.{i}" if path else str(i))]
    return []


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = int((request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0)
        if limit is not None and declared > limit:
            raise RequestTooLarge()
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding))
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - the data is nested too deeply.")) from None
        except ValueError as exc:
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        paths = nul_paths(data)
        if paths:
            raise exceptions.ValidationError({p: [NUL_MESSAGE] for p in paths[:20]})
        return data
