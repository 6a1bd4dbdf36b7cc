"""Checking an uploaded file by its content, shared by the apps that take files (homework hand-ins,
shared resources).

A file is accepted when its size is within the limit, its name's extension is allowed, and what the
first bytes say it is (the ``filetype`` package, magic numbers) is what the extension promises. Plain
text has no signature: a ``.txt`` is accepted when ``filetype`` recognises nothing, the sample holds
no NUL byte and it decodes as UTF-8. The checker never trusts the browser's content type.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# Extension -> the type the content must have. Each app allows a subset (or all) of these.
OFFICE_AND_IMAGES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "txt": "text/plain",
}


def check_upload(upload: UploadedFile, *, allowed: Mapping[str, str], max_bytes: int, field: str = "file",
                 not_allowed: str | None = None) -> tuple[str, str]:
    """The upload's cleaned name (base name, at most 150 characters) and its content type, or
    ``ValidationError`` at ``field`` saying what is wrong. ``not_allowed`` words the refusal of an
    extension (``%(ext)s`` and ``%(allowed)s`` are filled in)."""
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip()[:150] or "upload"
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError({field: [_("The file is too big: the largest allowed is %(mb)s MB.")
                                       % {"mb": round(max_bytes / (1024 * 1024), 1)}]})
    if upload.size == 0:
        raise ValidationError({field: [_("The file is empty.")]})
    if ext not in allowed:
        message = not_allowed or _("Files named .%(ext)s are not accepted. Allowed: %(allowed)s.")
        raise ValidationError({field: [message % {"ext": ext or "?", "allowed": ", ".join(sorted(allowed))}]})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    expected = allowed[ext]
    if expected == "text/plain":
        if kind is not None or b"\x00" in head:
            raise ValidationError({field: [_("The file is named .txt but is not plain text.")]})
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as problem:
            if problem.start < len(head) - 4:  # a multi-byte character cut at the end of the sample is fine
                raise ValidationError({field: [_("The file is named .txt but is not plain text.")]}) from None
        return name, expected
    if kind is None or kind.mime != expected:
        found = kind.extension.upper() if kind is not None else _("an unknown type")
        raise ValidationError({field: [_("The file is named .%(ext)s but its content is %(found)s: choose a real "
                                         ".%(ext)s file.") % {"ext": ext, "found": found}]})
    return name, expected
