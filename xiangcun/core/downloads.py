"""Serving files that users uploaded (asset photos, scans, reports): never as something a browser runs.

Every such file is sent as a download (`Content-Disposition: attachment`), with `nosniff`, a sandboxing
Content-Security-Policy of its own, and a content type from a short whitelist — a JPEG, PNG or PDF only
when its first bytes say so, anything else `application/octet-stream`. So an uploaded "photo" holding
HTML or script can neither be rendered as a page nor loaded by `<script src>` (nosniff refuses a
script whose type is not JavaScript)."""
from django.http import FileResponse

# extension → (content type, leading bytes the file must start with)
SAFE_TYPES = {
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".pdf": ("application/pdf", b"%PDF-"),
}
OPAQUE = "application/octet-stream"
SANDBOX_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def content_type_for(filename: str, head: bytes) -> str:
    """The whitelisted type for a file whose name and first bytes agree, else application/octet-stream."""
    name = (filename or "").lower()
    for ext, (ctype, magic) in SAFE_TYPES.items():
        if name.endswith(ext) and head.startswith(magic):
            return ctype
    return OPAQUE


def uploaded_file_response(handle, filename: str) -> FileResponse:
    """A download response for an uploaded file opened in binary mode."""
    head = handle.read(16)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename,
                            content_type=content_type_for(filename, head))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
