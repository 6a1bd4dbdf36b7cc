"""Holding an uploaded file to its size limit while it arrives, and carrying it between preview and import.

Django writes an upload larger than 2.5 MB to a temporary file before the view sees it, however
large it is. ``CappedUploadHandler`` sits in front of Django's handlers for one view and stops the
upload as soon as it passes the limit: the rest of the request is read and thrown away (so the
browser gets the page, not a broken connection) and nothing more is kept in memory or on disk.

Between the preview and the import the file travels back in the confirmation form, compressed and
signed (``hold``/``release``), as the CSV import carries its text: nothing is stored on the server,
and a file that was not previewed by this user at this school cannot be slipped in. A file too large
to travel that way is chosen again instead, and must be the same file (``digest``).
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Any

from django.core import signing
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# The confirmation form must stay under Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB of form data).
MAX_HELD_CHARS = 2_000_000
HOLD_MAX_AGE = 8 * 60 * 60  # a school day


class CappedUploadHandler(FileUploadHandler):
    """Refuse a file upload once it passes ``max_bytes``: sets ``request.upload_too_large`` and stops."""

    def __init__(self, request: HttpRequest, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        request.upload_too_large = False  # type: ignore[attr-defined]

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.request.upload_too_large = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None  # the next handler (memory or temporary file) makes the file


def cap_uploads(request: HttpRequest, max_bytes: int) -> None:
    """Put the cap in front of the request's upload handlers. Call before anything reads request.POST
    (the view must be csrf_exempt, with CSRF checked by an inner csrf_protect)."""
    request.upload_handlers = [CappedUploadHandler(request, max_bytes), *request.upload_handlers]


def _salt(purpose: str, institution_id: int, user_id: int | None) -> str:
    return f"commonroom.interop.{purpose}:{institution_id}:{user_id}"


def hold(data: bytes, *, institution_id: int, user_id: int | None) -> str | None:
    """The file, compressed and signed for the confirmation form; None when it would be too large."""
    packed = base64.urlsafe_b64encode(zlib.compress(data, 6)).decode("ascii")
    if len(packed) > MAX_HELD_CHARS:
        return None
    return signing.TimestampSigner(salt=_salt("held", institution_id, user_id)).sign(packed)


def release(token: str, *, institution_id: int, user_id: int | None, max_bytes: int) -> bytes | None:
    """The file held by ``hold``, or None when the token is not ours, has expired or is damaged."""
    try:
        packed = signing.TimestampSigner(salt=_salt("held", institution_id, user_id)).unsign(token, max_age=HOLD_MAX_AGE)
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.urlsafe_b64decode(packed.encode("ascii")), max_bytes + 1)
    except (signing.BadSignature, ValueError, zlib.error):
        return None
    return data if len(data) <= max_bytes and not inflater.unconsumed_tail else None


def digest(data: bytes, *, institution_id: int, user_id: int | None) -> str:
    """A signed fingerprint of the file, to check the same file is chosen again."""
    fingerprint = hashlib.sha256(data).hexdigest()
    return signing.TimestampSigner(salt=_salt("digest", institution_id, user_id)).sign(fingerprint)


def matches(data: bytes, token: str, *, institution_id: int, user_id: int | None) -> bool:
    try:
        fingerprint = signing.TimestampSigner(salt=_salt("digest", institution_id, user_id)).unsign(
            token, max_age=HOLD_MAX_AGE)
    except signing.BadSignature:
        return False
    return fingerprint == hashlib.sha256(data).hexdigest()
