"""Photo intake: checked by content (not by the name or the browser's type), limited in
size, and re-encoded without EXIF (GPS, camera, time) before anyone else sees it."""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from governance.errors import ValidationFailed

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000


def clean_image(upload, *, field: str = "photos") -> ContentFile:
    """A sanitized copy of `upload` (a Django UploadedFile or a file-like object)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    limit = getattr(settings, "UPLOAD_MAX_BYTES", 8 * 1024 * 1024)
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > limit:
        raise ValidationFailed(fields={field: [_("A photo may be at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)}]})
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image: Image.Image = Image.open(io.BytesIO(data))  # exif_transpose/convert give a plain Image
        fmt = image.format
        if fmt not in ALLOWED_FORMATS:
            raise ValidationFailed(fields={field: [_("Only JPEG, PNG or WebP photos are accepted.")]})
        if image.width * image.height > MAX_PIXELS:
            raise ValidationFailed(fields={field: [_("The photo has too many pixels.")]})
        image = ImageOps.exif_transpose(image)  # keep the orientation, then drop all metadata
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationFailed(fields={field: [_("This file is not a photo.")]}) from exc
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if image.mode in ("LA", "PA", "P") else "RGB")
    clean = Image.new(image.mode, image.size)  # a fresh image carries no info/EXIF of the upload
    clean.paste(image)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    else:
        clean.save(out, fmt)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[fmt]}")
