"""Photo intake, the one door for every app (order photos, visit photos, later receipts):
checked by content (not by the name or the browser's type), limited in bytes and in pixels
*before* decoding (a 200-megapixel PNG of a few kilobytes — a decompression bomb — is refused
from its header), and re-encoded without EXIF (GPS, camera, time) before anyone sees it."""

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
    import warnings

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
    too_many = ValidationFailed(fields={field: [_("The photo has too many pixels.")]})
    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS and raises only past twice that: refuse both,
            # from the header, before a single pixel is decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise too_many
                probe.verify()
            image: Image.Image = Image.open(io.BytesIO(data))  # exif_transpose/convert give a plain Image
            fmt = image.format
            if fmt not in ALLOWED_FORMATS:
                raise ValidationFailed(fields={field: [_("Only JPEG, PNG or WebP photos are accepted.")]})
            image = ImageOps.exif_transpose(image)  # keep the orientation, then drop all metadata
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise too_many from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
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
