"""The Common Transfer File (CTF): reading, writing and checking the XML an English school sends when a learner leaves.

A library with no database: ``read_ctf`` turns a file into :mod:`model` values, ``write_ctf`` turns
them back into a file, ``validate_export`` checks a file against our XSD and ``ctf_file_name`` names
it. Every refusal is a :class:`CtfError`. See docs/ctf.md.
"""

from commonroom.interop.ctf.errors import CtfError
from commonroom.interop.ctf.model import (
    ACCEPTED_VERSIONS,
    CURRENT_VERSION,
    PREVIOUS_VERSION,
    AttendanceYear,
    Contact,
    CtfFile,
    CtfHeader,
    CtfPupil,
    CtfSchool,
    Phone,
    SchoolHistoryEntry,
    SenEpisode,
    SenNeed,
    StageResult,
    ctf_version_for,
)
from commonroom.interop.ctf.reader import read_ctf
from commonroom.interop.ctf.writer import ctf_file_name, validate_export, write_ctf
from commonroom.interop.ctf.xml import DEFAULT_MAX_BYTES, parse_bytes, read_upload

__all__ = [
    "ACCEPTED_VERSIONS",
    "CURRENT_VERSION",
    "DEFAULT_MAX_BYTES",
    "PREVIOUS_VERSION",
    "AttendanceYear",
    "Contact",
    "CtfError",
    "CtfFile",
    "CtfHeader",
    "CtfPupil",
    "CtfSchool",
    "Phone",
    "SchoolHistoryEntry",
    "SenEpisode",
    "SenNeed",
    "StageResult",
    "ctf_file_name",
    "ctf_version_for",
    "parse_bytes",
    "read_ctf",
    "read_upload",
    "validate_export",
    "write_ctf",
]
