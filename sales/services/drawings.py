"""Customer drawings: checked by their content, stored under a random name."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError

from ..models import (
    LineDrawing,
    SalesOrderLine,
)

DRAWING_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
DRAWING_EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
}


def drawing_validate(upload) -> str:
    """Return the content type of an uploaded drawing judged by its bytes, or raise ValidationError."""
    limit = settings.DRAWING_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"{upload.name} is {upload.size / 1_048_576:.1f} MB; drawings may be at most {limit // 1_048_576} MB.",
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(f"{upload.name} is empty.", code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = next((ct for sig, ct in DRAWING_SIGNATURES.items() if head.startswith(sig)), None)
    if content_type is None:
        raise ValidationError(
            f"{upload.name} is not a PDF, PNG or JPEG file (its content says otherwise).", code="bad_type"
        )
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in DRAWING_EXTENSIONS[content_type]:
        raise ValidationError(
            f"{upload.name} holds a {content_type.split('/')[1].upper()} file but is named {suffix or 'without'}"
            " extension; rename it to match its content.",
            code="bad_extension",
        )
    return content_type


def _drawing_attach(*, line: SalesOrderLine, upload, uploaded_by) -> LineDrawing:
    content_type = drawing_validate(upload)
    drawing = LineDrawing(
        line=line,
        stored_token=secrets.token_hex(16),
        original_name=upload.name[-255:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=uploaded_by,
    )
    drawing.file.save("upload", upload, save=False)
    drawing.save()
    return drawing
