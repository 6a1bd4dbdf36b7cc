"""Checking rows and building records: the one path both the reader and the writer take.

The reader feeds it the rows of the CSV files it unpacked; the writer feeds it the rows it has just
formatted, so anything the writer produces is something the reader accepts. Rows are checked one at
a time as they arrive (only valid records are kept), then ``check_package`` checks what needs the
whole package: references between files, and the one-primary-role rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import codec
from .errors import ProblemLog, quoted
from .model import FILES, METADATA_PREFIX, Class, Column, Course, FileKind, FileSpec, Kind, Mode, Record, Role, Roster

# Columns that are blank in bulk files and required in delta files.
_DELTA_ONLY = ("status", "dateLastModified")
# (start, end) attribute pairs where the end may not come before the start.
_RANGES: dict[FileKind, tuple[str, str]] = {
    "academicSessions": ("start_date", "end_date"),
    "roles": ("begin_date", "end_date"),
    "enrollments": ("begin_date", "end_date"),
}


@dataclass
class _Reference:
    line: int
    column: Column
    ids: tuple[str, ...]


@dataclass
class Table:
    """One file's rows as they are checked: the valid records, and what references need later."""

    spec: FileSpec
    mode: Mode
    log: ProblemLog
    records: list[Record] = field(default_factory=list)
    # Every sourcedId seen in the file (valid row or not, so that one bad row does not make every
    # reference to it a second problem), with the line it is first on.
    lines: dict[str, int] = field(default_factory=dict)
    # The "type" of each row, for references that must name an org of type school and the like.
    types: dict[str, str] = field(default_factory=dict)
    references: list[_Reference] = field(default_factory=list)
    primary_roles: dict[tuple[str, str], int] = field(default_factory=dict)
    _positions: list[tuple[Column, int | None]] = field(default_factory=list)
    _metadata: list[tuple[str, int]] = field(default_factory=list)
    _width: int = 0
    rows: int = 0
    # False when the file could not be read to the end: its references, and references to it, are not
    # checked, since the problem that stopped it has been reported and the rest would only echo it.
    complete: bool = True

    def set_header(self, header: Sequence[str]) -> bool:
        """Map the header row to columns; False (with problems logged) if the file cannot be read."""
        name = self.spec.name
        ok = True
        seen: set[str] = set()
        for header_name in header:
            if header_name in seen:
                self.log.add(name, 1, header_name, "the column appears twice in the header")
                ok = False
            seen.add(header_name)
        position = {header_name: index for index, header_name in enumerate(header)}
        lowered = {header_name.lower(): header_name for header_name in header}
        for column in self.spec.columns:
            index = position.get(column.header)
            needed = column.required or (self.mode == "delta" and column.header in _DELTA_ONLY)
            if index is None and needed:
                near = lowered.get(column.header.lower())
                hint = f" (there is {quoted(near)}: headers are case-sensitive)" if near else ""
                self.log.add(name, 1, column.header, f"the required column is missing{hint}")
                ok = False
            self._positions.append((column, index))
        # Unknown columns are ignored, except extension columns, which the records keep.
        self._metadata = [
            (header_name[len(METADATA_PREFIX) :], index)
            for index, header_name in enumerate(header)
            if header_name.startswith(METADATA_PREFIX) and len(header_name) > len(METADATA_PREFIX)
        ]
        self._width = len(header)
        return ok

    def add_row(self, line: int, values: Sequence[str]) -> None:
        name = self.spec.name
        self.rows += 1
        if len(values) != self._width:
            self.log.add(name, line, None, f"the row has {len(values)} fields but the header has {self._width}")
            return
        fields: dict[str, Any] = {}
        valid = True
        for column, index in self._positions:
            raw = values[index] if index is not None else ""
            message = self._check_presence(column, raw)
            if message:
                self.log.add(name, line, column.header, message)
                valid = False
                continue
            if raw == "":
                fields[column.attr] = codec.empty(column)
                continue
            try:
                fields[column.attr] = codec.parse(column, raw)
            except codec.FieldError as error:
                self.log.add(name, line, column.header, str(error))
                valid = False
        metadata = {key: values[index] for key, index in self._metadata if values[index] != ""}
        for key, value in metadata.items():
            try:
                codec.parse(Column(METADATA_PREFIX + key, key, Kind.TEXT), value)
            except codec.FieldError as error:
                self.log.add(name, line, METADATA_PREFIX + key, str(error))
                valid = False

        sourced_id = values[self._positions[0][1]] if self._positions[0][1] is not None else ""
        if sourced_id:
            first = self.lines.setdefault(sourced_id, line)
            if first != line:
                self.log.add(name, line, "sourcedId", f"{quoted(sourced_id)} is already used on line {first}")
                valid = False
        if sourced_id and fields.get("type"):
            # Only a type that was read: a bad one has been reported, and need not be again at each reference.
            self.types.setdefault(sourced_id, fields["type"])
        # References are noted even from a row with other problems, as long as the reference itself
        # could be read: a dangling reference is worth reporting alongside the rest.
        for column, _index in self._positions:
            if column.refers_to and fields.get(column.attr):
                value = fields[column.attr]
                ids = value if isinstance(value, tuple) else (value,)
                self.references.append(_Reference(line, column, ids))
        if valid and self._check_record(line, fields):
            self.records.append(self.spec.record(**fields, metadata=metadata))

    def _check_presence(self, column: Column, raw: str) -> str | None:
        """Why a blank or filled field may not be so here, or None."""
        if column.header in _DELTA_ONLY:
            if self.mode == "bulk" and raw:
                return "must be blank in a bulk file (the manifest says bulk)"
            if self.mode == "delta" and not raw:
                return "a value is required in a delta file"
            return None
        if column.required and raw == "":
            return "a value is required"
        return None

    def _check_record(self, line: int, fields: dict[str, Any]) -> bool:
        """Checks within one row that go beyond single fields."""
        name = self.spec.name
        valid = True
        span = _RANGES.get(self.spec.kind)
        if span:
            start, end = fields[span[0]], fields[span[1]]
            if start is not None and end is not None and end < start:
                header = next(column.header for column in self.spec.columns if column.attr == span[1])
                self.log.add(name, line, header, f"{end.isoformat()} is before the start, {start.isoformat()}")
                valid = False
        if self.spec.record in (Course, Class):
            subjects, codes = fields["subjects"], fields["subject_codes"]
            if subjects and codes and len(subjects) != len(codes):
                self.log.add(
                    name,
                    line,
                    "subjectCodes",
                    f"there are {len(codes)} subject codes for {len(subjects)} subjects: the lists pair up in order",
                )
                valid = False
        if self.spec.record is Role and fields["role_type"] == "primary":
            # "Only one role per organization can be 'primary'" (roles.csv, roleType), for each user.
            key = (fields["user_sourced_id"], fields["org_sourced_id"])
            first = self.primary_roles.setdefault(key, line)
            if first != line:
                self.log.add(
                    name,
                    line,
                    "roleType",
                    f"user {quoted(key[0])} already has a primary role in org {quoted(key[1])} on line {first}",
                )
                valid = False
        return valid

    def finish(self) -> None:
        if not self.rows:
            # The binding does not allow a file with a header and no rows ("absent" says so instead).
            self.log.add(self.spec.name, None, None, "the file has no data rows; an empty file must be marked absent")


def check_package(tables: dict[FileKind, Table], log: ProblemLog) -> None:
    """References between files. Only bulk files must be complete: a delta file may name records that
    the receiver already holds, and a bulk file may name records of a file sent as delta."""
    for table in tables.values():
        if table.mode != "bulk" or not table.complete:
            continue
        for reference in table.references:
            column = reference.column
            assert column.refers_to is not None
            target = tables.get(column.refers_to)
            target_name = f"{column.refers_to}.csv"
            if target is not None and (target.mode == "delta" or not target.complete):
                continue
            for sourced_id in reference.ids:
                if target is None:
                    message = f"refers to {quoted(sourced_id)} in {target_name}, but the package has no {target_name}"
                elif sourced_id not in target.lines:
                    message = f"{quoted(sourced_id)} is not a sourcedId in {target_name}"
                elif (
                    column.refers_to_type
                    and target.types.get(sourced_id, column.refers_to_type) != column.refers_to_type
                ):
                    found = target.types[sourced_id]
                    message = (
                        f"{quoted(sourced_id)} in {target_name} has type {quoted(found)}, "
                        f"but must be a {column.refers_to_type}"
                    )
                else:
                    continue
                log.add(table.spec.name, reference.line, column.header, message)


def roster_of(tables: dict[FileKind, Table]) -> Roster:
    roster = Roster()
    for kind, table in tables.items():
        setattr(roster, FILES[kind].roster_attr, list(table.records))
    return roster
