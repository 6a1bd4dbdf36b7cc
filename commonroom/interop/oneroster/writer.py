"""Writing OneRoster 1.2 CSV files and the zip that carries them.

Choices, each from the binding (1EdTech OneRoster CSV Binding 1.2.1) where it has a word on it:

* Line endings are CRLF: the binding's CSV format is RFC 4180's, whose records end in CRLF.
* UTF-8 without a byte order mark (readers must tolerate one; writers need not add it).
* Only files that have rows go in the zip. The binding does not permit a file with no data rows, so
  a file with nothing to say is marked ``absent`` in the manifest and left out. The manifest lists
  every one of the 21 data files of 1.2 (all its ``file.*`` rows are required), each ``bulk`` (or
  ``delta``) if present and ``absent`` if not.
* In bulk mode ``status`` and ``dateLastModified`` are blank on every row (the binding forbids values
  there); in delta mode every record must have both.
* Every column of a file is written, in the binding's order, blank where there is no value; then the
  extension columns (``metadata.<key>`` for the keys any record of the file has, sorted), blank for
  records without that key. A blank extension value reads back as no value.
* Rows are sorted by sourcedId; files go into the zip in a fixed order (manifest.csv, then the data
  files alphabetically, as the binding lists them), deflated (RFC 1951, as the binding requires), each
  stamped with ``generated_at`` in UTC. The same roster and ``generated_at`` give the same bytes (for
  one version of zlib).

Before anything is returned the rows are read back through the reader's checks, so a roster that
breaks a rule of the binding (a missing required value, a reference to a record not in the package, an
unknown enumeration term) raises ``OneRosterError`` naming the file, line and column, as the reader
would, instead of producing a package a receiver will refuse.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Sequence

from . import codec
from .errors import ProblemLog
from .model import ALL_DATA_FILES, FILES, METADATA_PREFIX, FileKind, FileSpec, Mode, Record, Roster
from .validate import Table, check_package

MANIFEST = "manifest.csv"
MANIFEST_VERSION = "1.0"
ONEROSTER_VERSION = "1.2"


def write_file(kind: FileKind, rows: Sequence[Record], *, mode: Mode = "bulk") -> str:
    """One CSV file's text (header row and ``rows``, sorted by sourcedId, CRLF line endings).

    Checks each row as ``write_roster`` does, except references to other files.
    """
    log = ProblemLog()
    text, _table = _render(FILES[kind], rows, mode, log)
    log.raise_if_any()
    return text


def write_roster(
    roster: Roster,
    *,
    generated_at: datetime.datetime,
    mode: Mode = "bulk",
    source_system_name: str | None = None,
    source_system_code: str | None = None,
) -> bytes:
    """The zip of ``roster`` as OneRoster 1.2 CSV files: every non-empty list in ``mode``, the rest absent."""
    stamp = _zip_timestamp(generated_at)
    log = ProblemLog()
    texts: dict[FileKind, str] = {}
    tables: dict[FileKind, Table] = {}
    for kind, spec in FILES.items():
        records = getattr(roster, spec.roster_attr)
        if records:
            texts[kind], tables[kind] = _render(spec, records, mode, log)
    check_package(tables, log)
    log.raise_if_any()

    modes: dict[str, str] = {kind: mode for kind in texts}
    members = [(MANIFEST, _manifest(modes, source_system_name, source_system_code))]
    members += [(FILES[kind].name, text) for kind, text in texts.items()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            # Fixed rather than taken from the platform, so the bytes do not depend on where they are made.
            info.create_system = 3  # Unix
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            archive.writestr(info, text.encode("utf-8"), compresslevel=9)
    return buffer.getvalue()


def _zip_timestamp(generated_at: datetime.datetime) -> tuple[int, int, int, int, int, int]:
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise ValueError("generated_at must be timezone-aware")
    utc = generated_at.astimezone(datetime.UTC)
    if utc.year < 1980:
        raise ValueError("generated_at must be in 1980 or later: a zip cannot record an earlier time")
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")  # quotes a field only when it must (QUOTE_MINIMAL)
    writer.writerows(rows)
    return out.getvalue()


def _manifest(modes: dict[str, str], system_name: str | None, system_code: str | None) -> str:
    rows = [["propertyName", "value"], ["manifest.version", MANIFEST_VERSION], ["oneroster.version", ONEROSTER_VERSION]]
    rows += [[f"file.{name}", modes.get(name, "absent")] for name in ALL_DATA_FILES]
    for prop, value in (("source.systemName", system_name), ("source.systemCode", system_code)):
        if value:
            try:
                codec.check_text(value)
            except codec.FieldError as error:
                raise ValueError(f"{prop}: {error}") from None
            rows.append([prop, value])
    return _csv_text(rows)


def _render(spec: FileSpec, records: Sequence[Record], mode: Mode, log: ProblemLog) -> tuple[str, Table]:
    """The file's text, with each row checked (problems go to ``log``), and the checked table."""
    for record in records:
        if not isinstance(record, spec.record):
            raise TypeError(f"{spec.name} takes {spec.record.__name__} records, not {type(record).__name__}")
    ordered = sorted(records, key=lambda record: record.sourced_id)
    keys = sorted({key for record in ordered for key in record.metadata})
    header = [*spec.headers, *(METADATA_PREFIX + key for key in keys)]
    table = Table(spec, mode, log)
    table.set_header(header)
    rows: list[list[str]] = [header]
    for line, record in enumerate(ordered, start=2):
        row: list[str] = []
        formatted = True
        for column in spec.columns:
            try:
                row.append(codec.render(column, getattr(record, column.attr)))
            except codec.FieldError as error:
                log.add(spec.name, line, column.header, str(error))
                row.append("")
                formatted = False
        for key in keys:
            value = record.metadata.get(key, "")
            try:
                if not isinstance(key, str) or not isinstance(value, str) or not key:
                    raise codec.FieldError("extension keys must be non-empty text, and their values text")
                codec.check_text(key)
            except codec.FieldError as error:
                log.add(spec.name, line, METADATA_PREFIX + str(key), str(error))
                value, formatted = "", False
            row.append(value)
        rows.append(row)
        if formatted:
            table.add_row(line, row)
        else:
            # Counted and remembered, so that the problem above is not repeated as "missing" elsewhere.
            table.rows += 1
            table.lines.setdefault(record.sourced_id, line)
    table.finish()
    return _csv_text(rows), table
