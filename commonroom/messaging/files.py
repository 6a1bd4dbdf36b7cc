"""Attachments: checked by their content (the ``filetype`` package), never by the name or the browser's word.

Allowed: PDF, PNG, JPEG and plain text, up to ``MAX_BYTES``. The name's extension must agree with
what the content is (a PNG called ``letter.pdf`` is refused: a file that pretends is not sent on).
Plain text has no magic number: it is accepted when ``filetype`` recognises nothing, the bytes are
UTF-8 and hold no control characters other than line breaks, tabs and form feeds.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
ALLOWED = {  # content type -> (stored extension, extensions a name may carry)
    "application/pdf": ("pdf", {"pdf"}),
    "image/png": ("png", {"png"}),
    "image/jpeg": ("jpg", {"jpg", "jpeg"}),
    "text/plain": ("txt", {"txt", "text"}),
}
LABELS = {"application/pdf": "PDF", "image/png": "PNG image", "image/jpeg": "JPEG image", "text/plain": "text file"}


@dataclass
class CheckedFile:
    content: bytes
    content_type: str
    extension: str
    name: str


def safe_name(name: str, extension: str) -> str:
    """A display name: the base name only, letters, digits and a few marks, at most 100 characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    stem = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", os.path.splitext(base)[0]).strip(" ._") or "attachment"
    return f"{stem[:100]}.{extension}"


def _looks_like_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 0x20 and c not in "\n\r\t\f" for c in text) and "\x7f" not in text


def check_attachment(upload: Any) -> CheckedFile:
    """The upload's bytes and true type, or ValidationError at ``attachment``."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError({"attachment": [_("The file must be smaller than 5 MB.")]})
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ValidationError({"attachment": [_("The file must be smaller than 5 MB.")]})
    if not content:
        raise ValidationError({"attachment": [_("The file is empty.")]})
    kind = filetype.guess(content[:8192])
    if kind is not None:
        content_type = kind.mime
    elif _looks_like_text(content):
        content_type = "text/plain"
    else:
        content_type = ""
    if content_type not in ALLOWED:
        raise ValidationError({"attachment": [_("The file must be a PDF, PNG, JPEG or plain text file.")]})
    extension, names = ALLOWED[content_type]
    given = os.path.splitext(getattr(upload, "name", "") or "")[1].lower().lstrip(".")
    if given not in names:
        raise ValidationError({"attachment": [
            _("The file's name says .%(given)s but it is a %(kind)s: rename it or choose another file.")
            % {"given": given or "(nothing)", "kind": LABELS[content_type]}]})
    return CheckedFile(content=content, content_type=content_type, extension=extension,
                       name=safe_name(getattr(upload, "name", ""), extension))
