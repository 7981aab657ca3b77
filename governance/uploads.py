"""Uploaded files, checked the same way at every door (imports, holiday calendars, later bank
statements): the size against UPLOAD_MAX_BYTES before the content is read into memory, and CSV
text in the encoding Chinese offices actually write — Excel on a Chinese Windows saves "CSV"
as GBK/GB18030, not UTF-8 — decided from the bytes, with a clear field error if neither fits."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from governance.errors import ValidationFailed

# Tried in order: UTF-8 (with or without the BOM Excel adds) is strict enough that GBK text
# practically never decodes as it; GB18030 is the superset of GBK and GB2312.
ENCODINGS = ("utf-8-sig", "gb18030")


def check_size(upload, *, field: str = "file") -> None:
    """Refuse a file over UPLOAD_MAX_BYTES by its declared size, before reading it."""
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    if size > limit:
        raise ValidationFailed(
            _("The file is too large: at most %(mb)s MB.") % {"mb": round(limit / (1024 * 1024), 1)},
            fields={field: [_("At most %(mb)s MB.") % {"mb": round(limit / (1024 * 1024), 1)}]})


def decode_text(data: bytes, *, field: str = "file", encoding: str | None = None) -> str:
    """The text of a CSV file: in `encoding` if the uploader chose one, else UTF-8 or GB18030."""
    for candidate in ([encoding] if encoding else ENCODINGS):
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ValidationFailed(_("The file's text could not be read: save it as CSV UTF-8 or GBK."),
                           fields={field: [_("Unknown text encoding.")]})


def pasted_rows(text: str) -> list[list[str]]:
    """Rows a person pasted from a spreadsheet into a text box: cells split by tabs (what Excel and
    WPS copy) or, if the first line has none, by commas; blank lines dropped, cells trimmed."""
    import csv
    import io

    lines = [line for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return []
    delimiter = "\t" if "\t" in lines[0] else ","
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]

