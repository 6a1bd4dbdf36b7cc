"""Building packages by hand for the tests, including broken and hostile ones."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable

import pytest

from commonroom.interop.oneroster import OneRosterError, Problem
from commonroom.interop.oneroster.model import ALL_DATA_FILES

ORGS = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\norg-1,,,School,school,,\r\n"
USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,"
    "email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,"
    "preferredFamilyName,primaryOrgSourcedId,pronouns"
)


def manifest(version: str = "1.2", **modes: str) -> str:
    """A manifest.csv with every file.* row: ``modes`` (name=mode) and absent for the rest."""
    rows = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{version}"]
    rows += [f"file.{name},{modes.get(name, 'absent')}" for name in ALL_DATA_FILES]
    return "\r\n".join(rows) + "\r\n"


def make_zip(members: dict[str, str | bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def package(files: dict[str, str], mode: str = "bulk", **extra: str | bytes) -> bytes:
    """A zip of ``files`` (``"users"`` -> text) with a manifest listing them in ``mode``."""
    members: dict[str, str | bytes] = {"manifest.csv": manifest(**dict.fromkeys(files, mode))}
    members.update({f"{name}.csv": text for name, text in files.items()})
    members.update(extra)
    return make_zip(members)


def users(*rows: str, header: str = USERS_HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def user_row(sourced_id: str = "user-1", **values: str) -> str:
    """A users.csv row with the required values filled in; keywords (by header) override any field."""
    fields = dict.fromkeys(USERS_HEADER.split(","), "")
    fields.update(sourcedId=sourced_id, enabledUser="true", username=sourced_id, givenName="Ann", familyName="Lee")
    fields.update(values)
    return ",".join(fields.values())


def problems(call: Callable[[], object]) -> list[Problem]:
    with pytest.raises(OneRosterError) as caught:
        call()
    return caught.value.problems


def where(found: list[Problem]) -> list[tuple[str, int | None, str | None]]:
    return [(problem.file, problem.line, problem.column) for problem in found]


# -- tampering with a zip's bytes --------------------------------------------------------------------

_CENTRAL = b"PK\x01\x02"
_EOCD = b"PK\x05\x06"


def patch_central(data: bytes, name: str, *, flag_bits: int | None = None, file_size: int | None = None) -> bytes:
    """``data`` with the central directory entry of ``name`` changed (the zip module trusts that entry)."""
    raw = bytearray(data)
    encoded = name.encode()
    start = 0
    while (start := raw.find(_CENTRAL, start)) >= 0:
        name_length = struct.unpack_from("<H", raw, start + 28)[0]
        if raw[start + 46 : start + 46 + name_length] == encoded:
            if flag_bits is not None:
                struct.pack_into("<H", raw, start + 8, flag_bits)
            if file_size is not None:
                struct.pack_into("<I", raw, start + 24, file_size)
            return bytes(raw)
        start += 4
    raise AssertionError(f"{name} is not in the zip")


def patch_entry_count(data: bytes, count: int) -> bytes:
    """``data`` with the end-of-directory record claiming ``count`` entries."""
    raw = bytearray(data)
    eocd = raw.rfind(_EOCD)
    struct.pack_into("<HH", raw, eocd + 8, count, count)
    return bytes(raw)
