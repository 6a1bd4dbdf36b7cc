"""Reading a OneRoster 1.2 CSV zip into a ``Roster``, refusing it whole if anything is wrong.

The zip is an upload from outside, so it is inspected before anything is unpacked:

* the upload itself may be at most ``max_bytes`` (20 MiB unless told otherwise);
* before the zip module parses it, the end-of-directory record is read by hand: more than
  ``max_members`` entries, a directory bigger than that many entries need, or ZIP64, is refused;
* then each entry: a name with a folder, ``..``, a backslash or a NUL is refused, and so is a name that
  is not a OneRoster 1.2 file (names are case-sensitive), a second entry of the same name, encryption,
  and compression other than deflate or none;
* each entry's declared size, and the sum of them, may be at most ``max_bytes``, and while unpacking no
  entry may yield more than it declared: a zip bomb is stopped by its header or after at most
  ``max_bytes`` of output, whichever it lies about.

Then manifest.csv: it must be there, say ``manifest.version`` 1.0 and ``oneroster.version`` 1.2, and have
a ``file.<name>`` row (absent, bulk or delta) for each rostering file; the zip must hold exactly the
files the manifest lists as bulk or delta. (Rows for the gradebook and resource files may be missing,
meaning absent; those files, and userProfiles.csv, are recognised but not read.)

Each rostering file then: UTF-8 (a byte order mark is skipped), a header row naming every column that
requires a value (optional columns may be left out; columns are found by name, so their order is not
checked), no duplicate headers, at least one row, and every row checked field by field (see
validate.py). Unknown columns are ignored; ``metadata.*`` columns are kept on each record.

Every problem is collected (up to ``max_problems`` are kept, all are counted), each naming its file,
line and column, and ``OneRosterError`` is raised with them: a roster is returned only if there are none.
"""

from __future__ import annotations

import codecs
import csv
import io
import struct
import zipfile
import zlib

from .errors import ARCHIVE, ProblemLog, quoted
from .model import ALL_DATA_FILES, FILES, FileKind, Roster
from .validate import Table, check_package, roster_of

MAX_BYTES = 20 * 1024 * 1024
# manifest.csv and 21 data files is the most a 1.2 package can hold.
MAX_MEMBERS = 22
MAX_PROBLEMS = 1000
MANIFEST = "manifest.csv"
MODES = ("absent", "bulk", "delta")

KNOWN_FILES = frozenset({MANIFEST, *(f"{name}.csv" for name in ALL_DATA_FILES)})
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_EOCD_SIZE = 22
# A central directory entry is 46 bytes plus name, extra field and comment: for the names here, with
# the extra fields common tools add, a few hundred bytes at most. Anything past this is not a roster.
_DIRECTORY_BYTES_PER_ENTRY = 1024
_CHUNK = 64 * 1024
# What the zip module can raise on a damaged or hostile archive.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    NotImplementedError,
)


def read_roster(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_members: int = MAX_MEMBERS,
    max_problems: int = MAX_PROBLEMS,
) -> Roster:
    """The roster in the OneRoster 1.2 CSV zip ``data``; raises OneRosterError listing every problem."""
    log = ProblemLog(max_problems)
    if len(data) > max_bytes:
        log.add(ARCHIVE, None, None, f"the zip is {len(data)} bytes; the limit is {max_bytes}")
        log.raise_if_any()
    _check_directory(data, max_members, log)
    log.raise_if_any()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as error:
        log.add(ARCHIVE, None, None, f"this is not a zip file that can be read ({error})")
        log.raise_if_any()
    with archive:
        members = _check_members(archive, max_bytes, max_members, log)
        log.raise_if_any()
        if MANIFEST not in members:
            log.add(MANIFEST, None, None, "the zip has no manifest.csv, which every OneRoster 1.1 or 1.2 package has")
            log.raise_if_any()
        manifest = _unpack(archive, members[MANIFEST], log)
        modes = _read_manifest(manifest, log) if manifest is not None else None
        if modes is None:
            log.raise_if_any()
            raise AssertionError("a manifest that cannot be read always logs why")  # pragma: no cover
        for name in ALL_DATA_FILES:
            mode, present = modes.get(name, "absent"), f"{name}.csv" in members
            if mode != "absent" and not present:
                log.add(f"{name}.csv", None, None, f"manifest.csv lists the file as {mode}, but it is not in the zip")
            elif mode == "absent" and present:
                log.add(
                    f"{name}.csv",
                    None,
                    None,
                    "the file is in the zip, but manifest.csv does not list it as bulk or delta",
                )
        tables: dict[FileKind, Table] = {}
        for kind, spec in FILES.items():
            mode = modes.get(kind, "absent")
            info = members.get(spec.name)
            if info is None or mode not in ("bulk", "delta"):
                continue
            table = Table(spec, "bulk" if mode == "bulk" else "delta", log)
            tables[kind] = table
            text = _unpack(archive, info, log)
            if text is None:
                table.complete = False
            else:
                _read_rows(text, table)
    check_package(tables, log)
    log.raise_if_any()
    return roster_of(tables)


def _check_directory(data: bytes, max_members: int, log: ProblemLog) -> None:
    """Refuse, from the end-of-directory record alone, an archive with too many entries.

    The zip module reads the whole central directory into objects before anything can be counted, so a
    directory of a million tiny entries would cost memory first; this looks at the record's counts.
    """
    eocd = data.rfind(_EOCD, max(0, len(data) - _EOCD_SIZE - 0xFFFF))
    if eocd < 0 or eocd + _EOCD_SIZE > len(data):
        return  # not a zip: the zip module says so
    entries = int.from_bytes(data[eocd + 10 : eocd + 12], "little")
    directory_size = int.from_bytes(data[eocd + 12 : eocd + 16], "little")
    if eocd >= 20 and data[eocd - 20 : eocd - 16] == _ZIP64_LOCATOR:
        log.add(ARCHIVE, None, None, "ZIP64 archives are not accepted: a roster is far smaller than ZIP64 is for")
    elif entries > max_members:
        log.add(ARCHIVE, None, None, f"the zip has {entries} entries; the limit is {max_members}")
    elif directory_size > max_members * _DIRECTORY_BYTES_PER_ENTRY:
        log.add(
            ARCHIVE, None, None, f"the zip's directory is {directory_size} bytes, more than {max_members} files need"
        )


def _check_members(
    archive: zipfile.ZipFile, max_bytes: int, max_members: int, log: ProblemLog
) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > max_members:
        log.add(ARCHIVE, None, None, f"the zip has {len(infos)} entries; the limit is {max_members}")
        return {}
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        # orig_filename: the zip module cuts a name at its first NUL, which would hide "users.csv\0../x".
        name = info.orig_filename
        if any(mark in name for mark in ("/", "\\", "\x00")) or name in (".", ".."):
            log.add(ARCHIVE, None, None, f"entry {quoted(name)} is a path: the files must be at the top of the zip")
            continue
        if name not in KNOWN_FILES:
            near = next((known for known in sorted(KNOWN_FILES) if known.lower() == name.lower()), None)
            hint = f" (did you mean {quoted(near)}? names are case-sensitive)" if near else ""
            log.add(ARCHIVE, None, None, f"entry {quoted(name)} is not a OneRoster 1.2 file{hint}")
            continue
        if name in members:
            log.add(name, None, None, "the zip holds two files of this name")
            continue
        if info.flag_bits & 0x1:
            log.add(name, None, None, "the file is encrypted")
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            log.add(
                name, None, None, f"the file is compressed with method {info.compress_type}; only deflate is accepted"
            )
            continue
        if info.file_size > max_bytes:
            log.add(name, None, None, f"the file unpacks to {info.file_size} bytes; the limit is {max_bytes}")
            continue
        total += info.file_size
        members[name] = info
    if total > max_bytes:
        log.add(ARCHIVE, None, None, f"the files unpack to {total} bytes in all; the limit is {max_bytes}")
    return members


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, log: ProblemLog) -> str | None:
    """The entry's text, read no further than its declared size; None (with the problem logged) if it
    cannot be unpacked or is not UTF-8."""
    name = info.orig_filename
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                # The zip module itself stops at the declared size (and then fails the CRC check);
                # this does not rely on it.
                if size > info.file_size:
                    log.add(name, None, None, f"the file unpacks to more than the {info.file_size} bytes it declares")
                    return None
                chunks.append(chunk)
    except _ZIP_ERRORS as error:
        log.add(name, None, None, f"the file cannot be unpacked ({error})")
        return None
    raw = b"".join(chunks)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        log.add(name, line, None, f"the file is not UTF-8 text (byte {error.start + 1} cannot be decoded)")
        return None


def _rows(text: str, name: str, log: ProblemLog) -> tuple[list[tuple[int, list[str]]], bool]:
    """The CSV's non-blank rows with the line each starts on, and whether the whole file could be read."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for values in reader:
            if values:  # a blank line is not a row
                rows.append((previous + 1, values))
            previous = reader.line_num
    except csv.Error as error:
        log.add(name, previous + 1, None, f"the CSV cannot be read here: {error}")
        return rows, False
    return rows, True


def _read_rows(text: str, table: Table) -> None:
    name = table.spec.name
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous = 0
    try:
        header = next(reader, None)
        if header is None:
            table.log.add(name, None, None, "the file is empty: it needs a header row and at least one data row")
            table.complete = False
            return
        previous = reader.line_num
        if not table.set_header(header):
            table.complete = False
            return
        # Row by row, so that only checked records are kept in memory, not the raw text of every row.
        for values in reader:
            if values:
                table.add_row(previous + 1, values)
            previous = reader.line_num
    except csv.Error as error:
        table.log.add(name, previous + 1, None, f"the CSV cannot be read here: {error}")
        table.complete = False
        return
    table.finish()


def _read_manifest(text: str, log: ProblemLog) -> dict[str, str] | None:
    """Each data file's mode from manifest.csv, or None if the package cannot be read at all."""
    rows, readable = _rows(text, MANIFEST, log)
    if not readable:
        return None
    if not rows or rows[0][1] != ["propertyName", "value"]:
        log.add(MANIFEST, 1, None, 'the header row must be "propertyName,value"')
        return None
    properties: dict[str, tuple[int, str]] = {}
    for line, values in rows[1:]:
        if len(values) != 2:
            log.add(MANIFEST, line, None, f"the row has {len(values)} fields; a manifest row has 2")
            continue
        prop, value = values
        if prop in properties:
            log.add(MANIFEST, line, "propertyName", f"{quoted(prop)} is already given on line {properties[prop][0]}")
            continue
        properties[prop] = (line, value)

    readable = True
    for prop, expected in (("manifest.version", "1.0"), ("oneroster.version", "1.2")):
        if prop not in properties:
            log.add(MANIFEST, None, None, f"there is no {prop} row")
            readable = False
        elif properties[prop][1] != expected:
            line, value = properties[prop]
            log.add(MANIFEST, line, "value", f"{prop} is {quoted(value)}: only {expected} can be read")
            readable = False
    if not readable:
        return None

    modes: dict[str, str] = {}
    for name in ALL_DATA_FILES:
        entry = properties.get(f"file.{name}")
        if entry is None:
            # Every file.* row is required; this library insists only on those of the files it reads.
            if name in FILES:
                log.add(MANIFEST, None, None, f"there is no file.{name} row (absent, bulk or delta)")
            continue
        line, value = entry
        if value not in MODES:
            log.add(MANIFEST, line, "value", f"{quoted(value)} is not one of {', '.join(MODES)}")
            continue
        modes[name] = value
    return modes
