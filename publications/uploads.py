"""Uploaded files are what they claim to be: checked by signature (not by
name or declared type) and size, then served with safe headers."""

from __future__ import annotations

from django.core.exceptions import ValidationError

SIGNATURES = {
    "application/pdf": [b"%PDF-"],
    "image/png": [b"\x89PNG\r\n\x1a\n"],
    "image/jpeg": [b"\xff\xd8\xff"],
    "image/webp": [b"RIFF"],  # and "WEBP" at offset 8
}
#: the file names each proven type may have: a PNG is never stored as .svg or .html
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/webp": {".webp"},
}
PDF_MAX = 30 * 1024 * 1024
IMAGE_MAX = 5 * 1024 * 1024


def sniff(head: bytes) -> str | None:
    """The content type a file's first bytes prove, or None."""
    for kind, prefixes in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            if kind == "image/webp" and head[8:12] != b"WEBP":
                continue
            return kind
    return None


def _head(upload) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    return head


def _extension_matches(upload, kind: str) -> None:
    from pathlib import PurePath

    suffix = PurePath(getattr(upload, "name", "") or "").suffix.lower()
    if suffix not in EXTENSIONS[kind]:
        expected = " ou ".join(sorted(EXTENSIONS[kind]))
        raise ValidationError(
            f"Le nom du fichier doit finir par {expected} : son contenu est de ce type "
            f"(extension « {suffix or 'aucune'} » refusée)."
        )


def validate_pdf(upload) -> None:
    if upload.size > PDF_MAX:
        raise ValidationError(f"Fichier trop lourd : {PDF_MAX // 1024 // 1024} Mo au plus.")
    if sniff(_head(upload)) != "application/pdf":
        raise ValidationError("Ce fichier n'est pas un PDF (signature absente).")
    _extension_matches(upload, "application/pdf")


def validate_image(upload) -> None:
    if upload.size > IMAGE_MAX:
        raise ValidationError(f"Image trop lourde : {IMAGE_MAX // 1024 // 1024} Mo au plus.")
    kind = sniff(_head(upload))
    if kind not in ("image/png", "image/jpeg", "image/webp"):
        raise ValidationError("Ce fichier n'est pas une image PNG, JPEG ou WebP (signature absente).")
    _extension_matches(upload, kind)


def safe_file_response(field, filename: str, *, inline: bool):
    """An uploaded file with the type its signature proves, no sniffing, no
    script, no framing."""
    from django.http import FileResponse, Http404

    if not field:
        raise Http404("Fichier absent")
    handle = field.open("rb")
    kind = sniff(handle.read(16)) or "application/octet-stream"
    handle.seek(0)
    response = FileResponse(handle, content_type=kind, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response
