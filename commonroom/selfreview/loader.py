"""Framework files: read, validate and load them.

A framework file is TOML (read with the standard library's ``tomllib``), one file per framework
version, in ``commonroom/selfreview/frameworks/``. The format is described in docs/self-review.md.

``parse_framework`` is pure: it returns a ``FrameworkData`` or raises ``FrameworkFileError`` naming the
file and the line at fault. ``tomllib`` gives no positions for values, so the line is found by a light
scan of the text: the ``code = "..."`` line of the aspect at fault (or the ``threshold`` line after it).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FRAMEWORK_DIR = Path(__file__).resolve().parent / "frameworks"
LEVEL_KEYS = ("1", "2", "3", "4", "5")
ASPECT_CODE = re.compile(r"^(\d+)([a-z])-(\d+)$")
STRAND_CODE = re.compile(r"^(\d+)([a-z])$")
STATUSES = ("published", "withdrawn")


class FrameworkFileError(ValueError):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {message}")


@dataclass
class AspectData:
    code: str
    title: str
    threshold: int
    descriptors: dict[str, str]
    measures: list[str] = field(default_factory=list)


@dataclass
class StrandData:
    code: str
    name: str
    aspects: list[AspectData] = field(default_factory=list)


@dataclass
class ElementData:
    number: int
    name: str
    strands: list[StrandData] = field(default_factory=list)


@dataclass
class FrameworkData:
    slug: str
    version: int
    name: str
    description: str
    audience: str
    status: str
    scale: dict[str, str]
    elements: list[ElementData]
    source_file: str
    checksum: str

    @property
    def aspect_count(self) -> int:
        return sum(len(strand.aspects) for element in self.elements for strand in element.strands)


class _Lines:
    """Find the line of a key or a ``code = "..."`` entry in the raw text (1-based)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, pattern: str, start: int = 0) -> int | None:
        regex = re.compile(pattern)
        for index in range(start, len(self.lines)):
            if regex.search(self.lines[index]):
                return index + 1
        return None

    def code(self, code: str, occurrence: int = 1) -> int | None:
        regex = re.compile(r'^\s*code\s*=\s*["\']' + re.escape(code) + r'["\']')
        seen = 0
        for index, line in enumerate(self.lines):
            if regex.search(line):
                seen += 1
                if seen == occurrence:
                    return index + 1
        return None

    def key_after(self, key: str, after: int | None) -> int | None:
        """The first ``key = ...`` line at or after line ``after``, before the next table header."""
        if after is None:
            return None
        for index in range(after - 1, len(self.lines)):
            line = self.lines[index].strip()
            if index >= after and line.startswith("["):
                return after
            if re.match(re.escape(key) + r"\s*=", line):
                return index + 1
        return after


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_framework(text: str, file: str) -> FrameworkData:
    """Validate one framework file's text. Raises ``FrameworkFileError`` (file and line) on the first fault."""
    lines = _Lines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        raise FrameworkFileError(file, int(found.group(1)) if found else None, f"not valid TOML: {error}") from None

    head = data.get("framework")
    if not isinstance(head, dict):
        raise FrameworkFileError(file, 1, "the file needs a [framework] table")
    head_line = lines.find(r"^\s*\[framework\]")
    slug, name = _text(head.get("slug")), _text(head.get("name"))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", slug):
        raise FrameworkFileError(file, lines.key_after("slug", head_line), "slug must be lower-case letters, digits and hyphens")
    if not name:
        raise FrameworkFileError(file, lines.key_after("name", head_line) or head_line, "the framework needs a name")
    version = head.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FrameworkFileError(file, lines.key_after("version", head_line) or head_line, "version must be a whole number from 1")
    status = _text(head.get("status")) or "published"
    if status not in STATUSES:
        raise FrameworkFileError(file, lines.key_after("status", head_line), f"status must be one of {', '.join(STATUSES)}")

    scale_line = lines.find(r"^\s*\[scale\]")
    scale = data.get("scale")
    if not isinstance(scale, dict):
        raise FrameworkFileError(file, 1, "the file needs a [scale] table naming levels 1 to 5")
    for key in LEVEL_KEYS:
        if not _text(scale.get(key)):
            raise FrameworkFileError(file, scale_line, f"the scale has no name for level {key}")
    extra = sorted(set(scale) - set(LEVEL_KEYS))
    if extra:
        raise FrameworkFileError(file, scale_line, f"the scale has levels 1 to 5 only, not {', '.join(extra)}")

    elements: dict[int, ElementData] = {}
    for index, row in enumerate(data.get("element") or [], start=1):
        line = lines.find(r"^\s*number\s*=\s*" + str(row.get("number")) + r"\b") if isinstance(row, dict) else None
        number = row.get("number") if isinstance(row, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise FrameworkFileError(file, line, f"element {index} needs a whole number from 1")
        if number in elements:
            raise FrameworkFileError(file, line, f"element {number} appears twice")
        if not _text(row.get("name")):
            raise FrameworkFileError(file, line, f"element {number} needs a name")
        elements[number] = ElementData(number=number, name=_text(row["name"]))
    if not elements:
        raise FrameworkFileError(file, None, "the framework has no [[element]]")

    strands: dict[str, StrandData] = {}
    for row in data.get("strand") or []:
        code = _text(row.get("code")) if isinstance(row, dict) else ""
        line = lines.code(code, 1) if code else None
        found = STRAND_CODE.match(code)
        if not found:
            raise FrameworkFileError(file, line, f"strand code {code!r} must look like 1a")
        if code in strands:
            raise FrameworkFileError(file, lines.code(code, 2), f"strand {code} appears twice")
        element = elements.get(int(found.group(1)))
        if element is None:
            raise FrameworkFileError(file, line, f"strand {code} belongs to element {found.group(1)}, which the file does not define")
        if not _text(row.get("name")):
            raise FrameworkFileError(file, line, f"strand {code} needs a name")
        strand = StrandData(code=code, name=_text(row["name"]))
        strands[code] = strand
        element.strands.append(strand)

    seen: dict[str, int] = {}
    for row in data.get("aspect") or []:
        code = _text(row.get("code")) if isinstance(row, dict) else ""
        seen[code] = seen.get(code, 0) + 1
        line = lines.code(code, seen[code]) if code else None
        if seen[code] > 1:
            raise FrameworkFileError(file, line, f"aspect code {code} is used twice (first on line {lines.code(code, 1)})")
        found = ASPECT_CODE.match(code)
        if not found:
            raise FrameworkFileError(file, line, f"aspect code {code!r} must look like 1a-1")
        strand_code = f"{found.group(1)}{found.group(2)}"
        owner = strands.get(strand_code)
        if owner is None:
            raise FrameworkFileError(file, line, f"aspect {code} belongs to strand {strand_code}, which the file does not define")
        title = _text(row.get("title"))
        if not title:
            raise FrameworkFileError(file, lines.key_after("title", line), f"aspect {code} needs a title")
        threshold = row.get("threshold")
        if not isinstance(threshold, int) or isinstance(threshold, bool) or str(threshold) not in LEVEL_KEYS:
            raise FrameworkFileError(file, lines.key_after("threshold", line),
                                     f"aspect {code}: the threshold {threshold!r} is outside the scale (a level from 1 to 5)")
        levels = row.get("level")
        if not isinstance(levels, dict):
            raise FrameworkFileError(file, line, f"aspect {code} has no level descriptors (level.1 to level.5)")
        for key in LEVEL_KEYS:
            if not _text(levels.get(key)):
                raise FrameworkFileError(file, lines.key_after(f"level.{key}", line) if key in levels else line,
                                         f"aspect {code} has no descriptor for level {key}")
        extra = sorted(set(levels) - set(LEVEL_KEYS))
        if extra:
            raise FrameworkFileError(file, lines.key_after(f"level.{extra[0]}", line),
                                     f"aspect {code} has a level {extra[0]} outside the scale (1 to 5)")
        measures = _measures(row.get("measures", []), code, file, lines.key_after("measures", line))
        owner.aspects.append(AspectData(code=code, title=title, threshold=threshold,
                                         descriptors={key: _text(levels[key]) for key in LEVEL_KEYS}, measures=measures))
    empty = [s.code for s in strands.values() if not s.aspects]
    if empty:
        raise FrameworkFileError(file, lines.code(empty[0]), f"strand {empty[0]} has no aspects")
    bare = [e.number for e in elements.values() if not e.strands]
    if bare:
        raise FrameworkFileError(file, None, f"element {bare[0]} has no strands")

    # The checksum covers the framework's content. Which platform measures an aspect offers is not part of
    # it (it maps the framework to Commonroom): adding measures to a loaded version updates them in place.
    aspects = [{k: v for k, v in row.items() if k != "measures"} if isinstance(row, dict) else row
               for row in data.get("aspect") or []]
    content = {"framework": {k: v for k, v in head.items() if k != "status"}, "scale": scale,
               "element": data.get("element"), "strand": data.get("strand"), "aspect": aspects}
    checksum = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return FrameworkData(
        slug=slug, version=version, name=name, description=_text(head.get("description")),
        audience=_text(head.get("audience")), status=status, scale={k: _text(scale[k]) for k in LEVEL_KEYS},
        elements=sorted(elements.values(), key=lambda e: e.number), source_file=file, checksum=checksum,
    )


def _measures(value: Any, code: str, file: str, line: int | None) -> list[str]:
    """``measures = ["parent_accounts", ...]``: names from the registry in ``measures.py``, no repeats."""
    from commonroom.selfreview.measures import MEASURES

    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise FrameworkFileError(file, line, f"aspect {code}: measures must be a list of measure names")
    names: list[str] = []
    for name in value:
        if name not in MEASURES:
            raise FrameworkFileError(file, line, f"aspect {code}: unknown measure {name!r} "
                                                 f"(known: {', '.join(sorted(MEASURES))})")
        if name in names:
            raise FrameworkFileError(file, line, f"aspect {code}: measure {name!r} is named twice")
        names.append(name)
    return names


def read_framework_file(path: Path) -> FrameworkData:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FrameworkFileError(path.name, None, "the file is not UTF-8 text") from None
    return parse_framework(text, path.name)
