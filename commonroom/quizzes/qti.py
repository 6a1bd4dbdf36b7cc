"""IMS QTI 2.1 and 3.0: reading items, tests and content packages into questions, and writing them back.

Pure functions, no database. :func:`read_package` (and its shorthand :func:`parse_package`) take the bytes of an
upload: an IMS content package (a zip with ``imsmanifest.xml``) or a single item's XML. :func:`export_package`
writes a content package in QTI 3.0 (or 2.1) with the standard response-processing templates.

Uploads are hostile until proved otherwise (docs/adr/0011-qti-parsing.md):

* XML is parsed by lxml with a parser that never expands entities, loads a DTD or touches the network, and any
  document type declaration is refused outright (no QTI file needs one; every classic XML attack needs one);
* a zip is checked from its directory before anything is unpacked: entry count, each entry's size, the total,
  the compression ratio, and names (no ``..``, absolute paths, backslashes, drive letters or NULs); entries are then
  read no further than the size they declare;
* the whole package is read before anything is returned: one bad item rejects it with a :class:`QtiError` that
  names the file, the line and element, and what is wrong.

QTI 3.0 spells elements and attributes in kebab case with a ``qti-`` prefix (``qti-choice-interaction``,
``response-identifier``); the reader renames them to the 2.1 spelling (``choiceInteraction``,
``responseIdentifier``) after parsing, so one reader serves both, and the writer does the reverse.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from commonroom.quizzes.spec import QuestionSpec, validate_spec

NS_V2 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
NS_V3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_CP_V2 = "http://www.imsglobal.org/xsd/imscp_v1p1"
NS_CP_V3 = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
NS_LOM = "http://ltsc.ieee.org/xsd/LOM"
SCHEMA_V2 = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1p2.xsd"
SCHEMA_V3 = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
TEMPLATE_V2 = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/{}"
TEMPLATE_V3 = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/{}.xml"
TEMPLATES = ("match_correct", "map_response", "map_response_point")

MANIFEST = "imsmanifest.xml"
PACKAGE = "(package)"

# Limits on what an upload may hold. A real quiz package is a few hundred kilobytes.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 1000
MAX_ENTRY_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
# XML compresses well (20:1 is common for repetitive markup); a bomb compresses by a thousand or more.
MAX_RATIO = 100
# Below this size an entry's ratio is not checked: a tiny file can compress very well and do no harm.
RATIO_FLOOR_BYTES = 64 * 1024
MAX_QUESTIONS = 500
_CHUNK = 64 * 1024

SUPPORTED_INTERACTIONS = (
    "choiceInteraction",
    "textEntryInteraction",
    "matchInteraction",
    "associateInteraction",
    "orderInteraction",
)
_INTERACTION = re.compile(r"^[a-zA-Z]+Interaction$")
# Elements whose text is not part of the question's prompt.
_NOT_PROMPT = {"feedbackInline", "feedbackBlock", "modalFeedback", "rubricBlock", "templateBlock", "templateInline"}
_BLOCKS = {"p", "div", "prompt", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "tr", "dd", "dt"}
_BLANK = "____"  # a text entry inside a sentence shows as a blank in the prompt
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


class QtiError(Exception):
    """Why a package or item could not be read: the file, where in it (line and element), and what is wrong."""

    def __init__(self, file: str, element: str, message: str) -> None:
        self.file = file
        self.element = element
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}, {self.element}" if self.element else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class QtiPackage:
    """What an upload holds: its questions in order, and the assessment test's title if it had one.

    ``test_identifiers`` are the identifiers of the questions the test uses, in its order (empty when the upload
    has no test); the questions list starts with them, followed by any items the test does not use.
    """

    questions: list[QuestionSpec]
    title: str = ""
    test_identifiers: tuple[str, ...] = ()
    version: str = ""

    @property
    def has_test(self) -> bool:
        return bool(self.test_identifiers)


# ---------------------------------------------------------------------------------------------------------------
# Reading


def parse_package(data: bytes, filename: str) -> list[QuestionSpec]:
    """The questions in an uploaded QTI package or item, in the test's order when there is a test."""
    return read_package(data, filename).questions


def read_package(data: bytes, filename: str, *, limits: Limits | None = None) -> QtiPackage:
    """Everything in an uploaded QTI content package (zip) or single item XML; raises :class:`QtiError`."""
    limits = limits or Limits()
    name = display_name(filename)
    if len(data) > limits.upload_bytes:
        raise QtiError(name, "", f"the file is {_size(len(data))}; the limit is {_size(limits.upload_bytes)}")
    if not data.strip():
        raise QtiError(name, "", "the file is empty")
    if data.startswith(b"PK") or filename.lower().endswith(".zip"):
        return _read_zip(data, name, limits)
    root = _parse_xml(data, name)
    kind = _local(root.tag)
    if kind in ("assessmentTest", "qti-assessment-test"):
        raise QtiError(
            name,
            _where(root),
            "an assessment test only lists its items: upload the content package (the zip) that holds them",
        )
    version, item = _normalise(root, name)
    spec = _read_item(item, name, version, tags=())
    return QtiPackage(questions=[spec], version=version)


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = MAX_UPLOAD_BYTES
    entries: int = MAX_ENTRIES
    entry_bytes: int = MAX_ENTRY_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_RATIO
    questions: int = MAX_QUESTIONS


def display_name(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1] or "upload"
    return _printable(base[:80])


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"


def _where(element: Any) -> str:
    line = getattr(element, "sourceline", None)
    tag = _local(element.tag) if isinstance(element.tag, str) else "?"
    return f"line {line}, <{tag}>" if line else f"<{tag}>"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


# ---- zip -------------------------------------------------------------------------------------------------------


def _safe_entry_name(name: str) -> str | None:
    """Why an entry name is refused, or None if it is a plain relative path."""
    if "\x00" in name:
        return "contains a NUL character"
    if "\\" in name:
        return "uses backslashes (a Windows path)"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if any(part == ".." for part in name.split("/")):
        return "climbs out of the package (..)"
    return None


def _read_zip(data: bytes, name: str, limits: Limits) -> QtiPackage:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _ZIP_ERRORS as error:
        raise QtiError(name, "", f"this is not a zip file that can be read ({error})") from None
    with archive:
        if len(infos) > limits.entries:
            raise QtiError(name, "", f"the zip has {len(infos)} entries; the limit is {limits.entries}")
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            entry = info.orig_filename  # the zip module cuts a name at a NUL; the original shows it
            problem = _safe_entry_name(entry)
            if problem:
                raise QtiError(name, f'entry "{_printable(entry)}"', f"the entry's name {problem}; nothing was read")
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise QtiError(name, f'entry "{_printable(entry)}"', "the entry is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise QtiError(
                    name, f'entry "{_printable(entry)}"', "the entry uses a compression method other than deflate"
                )
            if info.file_size > limits.entry_bytes:
                raise QtiError(
                    name,
                    f'entry "{_printable(entry)}"',
                    f"the entry unpacks to {_size(info.file_size)}; the limit is {_size(limits.entry_bytes)}",
                )
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise QtiError(
                    name,
                    f'entry "{_printable(entry)}"',
                    f"the entry is compressed more than {limits.ratio} to 1, which only a zip bomb does",
                )
            total += info.file_size
            if total > limits.total_bytes:
                raise QtiError(name, "", f"the zip unpacks to more than {_size(limits.total_bytes)} in all")
            if entry in members:
                raise QtiError(name, f'entry "{_printable(entry)}"', "the zip holds two entries of this name")
            members[entry] = info
        if MANIFEST not in members:
            raise QtiError(name, "", f"the zip has no {MANIFEST} at its top level, so it is not a QTI content package")
        return _read_manifest_package(archive, members, name, limits)


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > info.file_size:
                    raise QtiError(name, "", "the entry unpacks to more than the size it declares")
                chunks.append(chunk)
    except _ZIP_ERRORS as error:
        raise QtiError(name, "", f"the entry cannot be unpacked ({error})") from None
    return b"".join(chunks)


def _resolve(base: str, href: str, file: str, element: Any) -> str:
    """The zip entry a manifest or test href points to, relative to ``base`` (a file's directory)."""
    href = href.split("#", 1)[0].split("?", 1)[0]
    problem = _safe_entry_name(href)
    if "://" in href or href.startswith("//") or (problem and "climbs" not in problem):
        raise QtiError(file, _where(element), f"the reference {href!r} {problem or 'points outside the package'}")
    path = posixpath.normpath(posixpath.join(base, href))
    if path.startswith("../") or path == ".." or path.startswith("/"):
        raise QtiError(file, _where(element), f"the reference {href!r} climbs out of the package (..)")
    return path


def _read_manifest_package(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str, limits: Limits
) -> QtiPackage:
    manifest = _parse_xml(_unpack(archive, members[MANIFEST], MANIFEST), MANIFEST)
    if _local(manifest.tag) != "manifest":
        raise QtiError(MANIFEST, _where(manifest), "the root element is not <manifest>")
    items: list[tuple[str, tuple[str, ...]]] = []  # (path, tags)
    tests: list[str] = []
    for resource in manifest.iter("{*}resource"):
        kind = (resource.get("type") or "").lower()
        href = resource.get("href")
        if not href:
            file = next(iter(resource.iter("{*}file")), None)
            href = file.get("href") if file is not None else None
        if kind.startswith("imsqti_item") or kind.startswith("imsqti_test"):
            if not href:
                raise QtiError(MANIFEST, _where(resource), "the resource names no file (no href)")
            path = _resolve("", href, MANIFEST, resource)
            if path not in members:
                raise QtiError(MANIFEST, _where(resource), f"the resource's file {path!r} is not in the zip")
            if kind.startswith("imsqti_item"):
                items.append((path, _keywords(resource)))
            else:
                tests.append(path)
    if not items:
        raise QtiError(MANIFEST, _where(manifest), "the manifest lists no QTI items (resources of type imsqti_item_…)")
    if len(items) > limits.questions:
        raise QtiError(
            MANIFEST, _where(manifest), f"the package has {len(items)} items; the limit is {limits.questions}"
        )
    specs: dict[str, QuestionSpec] = {}
    versions: set[str] = set()
    seen: dict[str, str] = {}
    for path, tags in items:
        root = _parse_xml(_unpack(archive, members[path], path), path)
        version, item = _normalise(root, path)
        versions.add(version)
        spec = _read_item(item, path, version, tags=tags)
        if spec.identifier in seen:
            raise QtiError(
                path, _where(item), f"the identifier {spec.identifier!r} is also used by {seen[spec.identifier]}"
            )
        seen[spec.identifier] = path
        specs[path] = spec
    title = ""
    order: list[str] = []
    if tests:
        test_path = tests[0]
        test_root = _parse_xml(_unpack(archive, members[test_path], test_path), test_path)
        version, test = _normalise(test_root, test_path, expect="assessmentTest")
        title = " ".join((test.get("title") or "").split())
        base = posixpath.dirname(test_path)
        for ref in test.iter("assessmentItemRef"):
            href = ref.get("href")
            if not href:
                raise QtiError(test_path, _where(ref), "the item reference has no href")
            path = _resolve(base, href, test_path, ref)
            if path not in specs:
                raise QtiError(test_path, _where(ref), f"the item {path!r} is not an item listed in {MANIFEST}")
            if path not in order:
                order.append(path)
    rest = [path for path, _ in items if path not in order]
    questions = [specs[path] for path in order + rest]
    return QtiPackage(
        questions=questions,
        title=title,
        test_identifiers=tuple(specs[path].identifier for path in order),
        version="3.0" if "3.0" in versions else "2.1",
    )


def _keywords(resource: Any) -> tuple[str, ...]:
    """Skill tags from the resource's LOM metadata (general/keyword), as lower-case slugs."""
    tags: list[str] = []
    for keyword in resource.iter("{*}keyword"):
        for text in keyword.itertext():
            slug = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
            if slug and slug not in tags:
                tags.append(slug)
    return tuple(tags)


# ---- XML -------------------------------------------------------------------------------------------------------


def _parser() -> Any:
    # A new parser each time: lxml parsers keep state and are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


_DOCTYPE = "the file has a document type declaration (<!DOCTYPE …>); QTI files never need one, and they are how XML attacks (external entities, entity expansion) work, so it was not read"


def _parse_xml(data: bytes, file: str) -> Any:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<") and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise QtiError(file, "line 1", "this is not an XML file")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise QtiError(file, _doctype_line(data), _DOCTYPE)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        line = getattr(error, "lineno", None)
        detail = re.sub(r",? line \d+, column \d+\s*$", "", str(getattr(error, "msg", "") or error)).strip()
        raise QtiError(file, f"line {line}" if line else "", f"this is not well-formed XML ({detail})") from None
    except ValueError as error:
        raise QtiError(file, "", f"the file could not be read as XML ({error})") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise QtiError(file, "line 1", _DOCTYPE)  # a UTF-16 file hides its DOCTYPE from the byte check
    return root


def _doctype_line(data: bytes) -> str:
    at = data.find(b"<!DOCTYPE")
    if at < 0:
        at = data.find(b"<!ENTITY")
    line = data.count(b"\n", 0, max(at, 0)) + 1
    return f"line {line}"


def _camel(kebab: str) -> str:
    head, *rest = kebab.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _normalise(root: Any, file: str, *, expect: str = "assessmentItem") -> tuple[str, Any]:
    """(version, root) with QTI 3.0's names renamed to QTI 2.1's and namespaces dropped from QTI elements."""
    local, namespace = _local(root.tag), _namespace(root.tag)
    v3_name = "qti-" + re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), expect)
    if local == expect and namespace == NS_V2:
        version = "2.1"
    elif local == v3_name and namespace == NS_V3:
        version = "3.0"
    elif local in (expect, v3_name):
        found = f"the namespace {namespace!r}" if namespace else "no namespace"
        raise QtiError(
            file,
            _where(root),
            f"<{local}> has {found}; expected QTI 2.1 ({NS_V2}) or QTI 3.0 ({NS_V3})",
        )
    else:
        wanted = "an item" if expect == "assessmentItem" else "a test"
        raise QtiError(file, _where(root), f"<{local}> is not {wanted} (<{expect}> or <{v3_name}>)")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _namespace(element.tag) in (NS_V2, NS_V3):
            name = _local(element.tag)
            if version == "3.0" and name.startswith("qti-"):
                name = _camel(name[4:])
            element.tag = name
        if version == "3.0":
            for key in list(element.attrib):
                if "-" in key and not key.startswith("{") and not key.startswith("data-"):
                    element.attrib[_camel(key)] = element.attrib.pop(key)
    return version, root


# ---- items -----------------------------------------------------------------------------------------------------


def _text(element: Any, *, skip_interactions: bool = False) -> str:
    """Plain text of an element: blocks and <br/> become line breaks, other whitespace collapses."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        local = _local(tag)
        if local in _NOT_PROMPT:
            parts.append(node.tail or "")
            return
        if skip_interactions and local == "textEntryInteraction":
            parts.append(f" {_BLANK}")  # where the answer goes, inside the sentence
            parts.append(node.tail or "")
            return
        if skip_interactions and _INTERACTION.match(local):
            for child in node:
                if isinstance(child.tag, str) and child.tag == "prompt":
                    walk(child)
            parts.append("\n")
            parts.append(node.tail or "")
            return
        block = local in _BLOCKS
        if local == "br":
            parts.append("\n")
        if block:
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            walk(child)
        if block:
            parts.append("\n")
        parts.append(node.tail or "")

    parts.append(element.text or "")
    for child in element:
        walk(child)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line and line != _BLANK)


def _one(parent: Any, tag: str) -> Any:
    return next((child for child in parent if child.tag == tag), None)


def _values(declaration: Any, tag: str = "correctResponse") -> list[str]:
    holder = _one(declaration, tag)
    if holder is None:
        return []
    return [(value.text or "").strip() for value in holder if value.tag == "value"]


def _number(text: str | None, file: str, element: Any, what: str) -> float:
    try:
        value = float((text or "").strip())
    except ValueError:
        raise QtiError(file, _where(element), f"{what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise QtiError(file, _where(element), f"{what} {text!r} is not a finite number")
    return value


@dataclass
class _Item:
    file: str
    root: Any
    declaration: Any
    interaction: Any
    processing: str  # the template's short name, "custom" or "none"
    mapping: list[tuple[str, float, bool]] = field(default_factory=list)  # (key, value, case sensitive)

    def fail(self, element: Any, message: str) -> QtiError:
        return QtiError(self.file, _where(element), message)


def _read_item(root: Any, file: str, version: str, *, tags: Sequence[str]) -> QuestionSpec:
    identifier = (root.get("identifier") or "").strip()
    body = _one(root, "itemBody")
    if body is None:
        raise QtiError(file, _where(root), "the item has no <itemBody>")
    interactions = [el for el in body.iter() if isinstance(el.tag, str) and _INTERACTION.match(el.tag)]
    if not interactions:
        raise QtiError(file, _where(body), "the item has no interaction, so there is nothing to answer")
    for interaction in interactions:
        if interaction.tag not in SUPPORTED_INTERACTIONS:
            raise QtiError(
                file,
                _where(interaction),
                f"<{interaction.tag}> is not supported; Commonroom reads "
                + ", ".join(f"<{name}>" for name in SUPPORTED_INTERACTIONS),
            )
    if len(interactions) > 1:
        raise QtiError(file, _where(interactions[1]), "the item has more than one interaction; only one is supported")
    interaction = interactions[0]
    response_id = interaction.get("responseIdentifier") or ""
    declaration = next(
        (el for el in root if el.tag == "responseDeclaration" and el.get("identifier") == response_id), None
    )
    if declaration is None:
        raise QtiError(file, _where(interaction), f"no <responseDeclaration> has the identifier {response_id!r}")
    item = _Item(file, root, declaration, interaction, _processing(root, file))
    mapping = _one(declaration, "mapping")
    if mapping is not None:
        for entry in mapping:
            if entry.tag == "mapEntry":
                value = _number(entry.get("mappedValue"), file, entry, "the mapped value")
                sensitive = (entry.get("caseSensitive") or "false").strip().lower() == "true"
                item.mapping.append(((entry.get("mapKey") or "").strip(), value, sensitive))
    kind, data = _READERS[interaction.tag](item)
    prompt = _text(body, skip_interactions=True)
    feedback_correct, feedback_incorrect, extra = _modal_feedback(root)
    if kind in ("single", "multiple"):
        for choice in data["choices"]:
            choice["feedback"] = choice["feedback"] or extra.get(choice["id"], "")
    spec = QuestionSpec(
        kind=kind,
        prompt=prompt,
        data=data,
        feedback_correct=feedback_correct,
        feedback_incorrect=feedback_incorrect,
        tags=tuple(tags),
        points=_points(root, item),
        identifier=identifier,
    )
    errors = validate_spec(spec)
    if errors:
        raise QtiError(file, _where(root), "the question is not valid: " + "; ".join(errors))
    return spec


def _processing(root: Any, file: str) -> str:
    processing = _one(root, "responseProcessing")
    if processing is None:
        return "none"
    template = (processing.get("template") or "").strip()
    if template:
        short = template.rstrip("/").rsplit("/", 1)[-1].removesuffix(".xml")
        if short not in TEMPLATES:
            raise QtiError(
                file,
                _where(processing),
                f"the response-processing template {template!r} is not one of the standard ones ({', '.join(TEMPLATES)})",
            )
        return short
    return "custom"


def _modal_feedback(root: Any) -> tuple[str, str, dict[str, str]]:
    """(feedback when right, feedback when wrong, other feedback by identifier) from <modalFeedback>."""
    right: list[str] = []
    wrong: list[str] = []
    other: dict[str, str] = {}
    for element in root:
        if element.tag != "modalFeedback":
            continue
        text = _text(element)
        if not text:
            continue
        key = (element.get("identifier") or "").strip()
        lowered = key.lower()
        hide = (element.get("showHide") or "show").lower() == "hide"
        if any(word in lowered for word in ("incorrect", "wrong", "false")):
            (right if hide else wrong).append(text)
        elif any(word in lowered for word in ("correct", "right", "true")):
            (wrong if hide else right).append(text)
        else:
            other[key] = text
    return "\n".join(right), "\n".join(wrong), other


def _points(root: Any, item: _Item) -> int:
    candidates: list[str | None] = []
    for outcome in root:
        if outcome.tag != "outcomeDeclaration":
            continue
        if outcome.get("identifier") == "MAXSCORE":
            default = _one(outcome, "defaultValue")
            if default is not None:
                candidates.extend(value.text for value in default if value.tag == "value")
        if outcome.get("identifier") == "SCORE":
            candidates.append(outcome.get("normalMaximum"))
    for candidate in candidates:
        try:
            value = float((candidate or "").strip())
        except ValueError:
            continue
        if math.isfinite(value) and value >= 1:
            return min(round(value), 1000)
    return 1


def _choices(item: _Item, tag: str = "simpleChoice", within: Any = None) -> list[dict[str, str]]:
    choices: list[dict[str, str]] = []
    seen: set[str] = set()
    for choice in within if within is not None else item.interaction:
        if choice.tag != tag:
            continue
        ident = (choice.get("identifier") or "").strip()
        if not ident:
            raise item.fail(choice, "the choice has no identifier")
        if ident in seen:
            raise item.fail(choice, f"two choices share the identifier {ident!r}")
        seen.add(ident)
        feedback = " ".join(_text(inline) for inline in choice.iter("feedbackInline"))
        choices.append({"id": ident, "text": _text(choice), "feedback": feedback})
    if not choices:
        raise item.fail(item.interaction, f"the interaction has no <{tag}>")
    return choices


def _correct(item: _Item) -> list[str]:
    values = _values(item.declaration)
    if not values and item.mapping:
        values = [key for key, value, _ in item.mapping if value > 0]
    if not values:
        raise item.fail(item.declaration, "the response declaration gives no correct response")
    return values


def _read_choice(item: _Item) -> tuple[str, dict[str, Any]]:
    choices = _choices(item)
    correct = _correct(item)
    ids = {choice["id"] for choice in choices}
    for value in correct:
        if value not in ids:
            raise item.fail(item.declaration, f"the correct response {value!r} is not one of the choices")
    cardinality = item.declaration.get("cardinality") or "single"
    if cardinality == "single":
        if len(correct) != 1:
            raise item.fail(item.declaration, "a single-choice item needs exactly one correct response")
        texts = {choice["text"].strip().lower() for choice in choices}
        if len(choices) == 2 and texts == {"true", "false"}:
            right = next(choice for choice in choices if choice["id"] == correct[0])
            return "true_false", {"correct": right["text"].strip().lower() == "true"}
        return "single", {"choices": choices, "correct": correct}
    if cardinality == "multiple":
        return "multiple", {"choices": choices, "correct": list(dict.fromkeys(correct))}
    raise item.fail(item.declaration, f"a choice interaction with cardinality {cardinality!r} is not supported")


def _read_text_entry(item: _Item) -> tuple[str, dict[str, Any]]:
    base_type = item.declaration.get("baseType") or ""
    if item.declaration.get("cardinality", "single") != "single":
        raise item.fail(item.declaration, "a text entry must have cardinality single")
    if base_type in ("float", "integer"):
        return "numeric", _read_numeric(item)
    if base_type != "string":
        raise item.fail(item.declaration, f"a text entry with baseType {base_type!r} is not supported")
    accepted = [value for value in _values(item.declaration) if value]
    case_sensitive = not item.mapping  # QTI's match is exact; a mapping says per entry
    for key, value, sensitive in item.mapping:
        if value > 0 and key and key not in accepted:
            accepted.append(key)
        case_sensitive = case_sensitive or sensitive
    if not accepted:
        raise item.fail(item.declaration, "the response declaration gives no accepted answer")
    return "text", {"accepted": accepted, "case_sensitive": case_sensitive}


def _read_numeric(item: _Item) -> dict[str, Any]:
    values = _values(item.declaration)
    numbers = [(key, value) for key, value, _ in item.mapping if value > 0]  # mapped values: the accepted answers
    if values:
        answer = _number(values[0], item.file, item.declaration, "the correct response")
    elif numbers:
        answer = _number(numbers[0][0], item.file, item.declaration, "the mapped answer")
    else:
        raise item.fail(item.declaration, "the response declaration gives no correct answer")
    tolerance = 0.0
    for key, _value in numbers:
        tolerance = max(tolerance, abs(_number(key, item.file, item.declaration, "the mapped answer") - answer))
    processing = _one(item.root, "responseProcessing")
    if processing is not None:
        for equal in processing.iter("equal"):
            mode = (equal.get("toleranceMode") or "exact").lower()
            bounds = (equal.get("tolerance") or "").split()
            if mode == "exact" or not bounds:
                continue
            widths = [_number(bound, item.file, equal, "the tolerance") for bound in bounds[:2]]
            width = min(widths)
            if width < 0:
                raise item.fail(equal, "the tolerance is negative")
            if mode == "relative":
                width = abs(answer) * width / 100
            elif mode != "absolute":
                raise item.fail(equal, f"the tolerance mode {mode!r} is not absolute or relative")
            tolerance = max(tolerance, width)
    return {"answer": answer, "tolerance": round(tolerance, 12)}


def _read_match(item: _Item) -> tuple[str, dict[str, Any]]:
    sets = [child for child in item.interaction if child.tag == "simpleMatchSet"]
    if len(sets) != 2:
        raise item.fail(item.interaction, "a match interaction needs exactly two <simpleMatchSet>s")
    left = [{"id": c["id"], "text": c["text"]} for c in _choices(item, "simpleAssociableChoice", sets[0])]
    right = [{"id": c["id"], "text": c["text"]} for c in _choices(item, "simpleAssociableChoice", sets[1])]
    pairs = _pairs(item, {c["id"] for c in left}, {c["id"] for c in right})
    return "matching", {"left": left, "right": right, "pairs": pairs}


def _pairs(item: _Item, left: set[str], right: set[str], *, directed: bool = True) -> list[list[str]]:
    pairs: list[list[str]] = []
    used: set[str] = set()
    for value in _correct(item):
        parts = value.split()
        if len(parts) != 2:
            raise item.fail(item.declaration, f"the correct response {value!r} is not a pair of identifiers")
        a, b = parts
        if not directed and a not in left and b in left:
            a, b = b, a
        if a not in left or b not in right:
            raise item.fail(item.declaration, f"the pair {value!r} does not join a left choice to a right one")
        if a in used:
            raise item.fail(item.declaration, f"{a!r} is matched twice; each may be matched once")
        used.add(a)
        pairs.append([a, b])
    return pairs


def _read_associate(item: _Item) -> tuple[str, dict[str, Any]]:
    choices = [{"id": c["id"], "text": c["text"]} for c in _choices(item, "simpleAssociableChoice")]
    firsts: list[str] = []
    for value in _correct(item):
        parts = value.split()
        if len(parts) == 2 and parts[0] not in firsts:
            firsts.append(parts[0])
    left_ids = set(firsts)
    left = [c for c in choices if c["id"] in left_ids]
    right = [c for c in choices if c["id"] not in left_ids]
    pairs = _pairs(item, left_ids, {c["id"] for c in right}, directed=False)
    return "matching", {"left": left, "right": right, "pairs": pairs}


def _read_order(item: _Item) -> tuple[str, dict[str, Any]]:
    items = [{"id": c["id"], "text": c["text"]} for c in _choices(item)]
    order = _correct(item)
    if sorted(order) != sorted(c["id"] for c in items):
        raise item.fail(item.declaration, "the correct order does not list every choice exactly once")
    return "ordering", {"items": items, "order": order}


_READERS = {
    "choiceInteraction": _read_choice,
    "textEntryInteraction": _read_text_entry,
    "matchInteraction": _read_match,
    "associateInteraction": _read_associate,
    "orderInteraction": _read_order,
}


# ---------------------------------------------------------------------------------------------------------------
# Writing

_HTML = {"p", "br", "div", "span"}


def _qti_identifier(value: str, fallback: str) -> str:
    return value if _IDENTIFIER.match(value or "") else fallback


class _Builder:
    """Builds elements with 2.1 names; :meth:`finish` renames them for 3.0."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.namespace = NS_V3 if version == "3.0" else NS_V2

    def el(self, parent: Any, tag: str, text: str | None = None, **attrs: Any) -> Any:
        element = etree.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None})
        if text is not None:
            element.text = text
        return element

    def root(self, tag: str, **attrs: Any) -> Any:
        return etree.Element(
            tag, {k: str(v) for k, v in attrs.items() if v is not None}, nsmap={None: self.namespace, "xsi": NS_XSI}
        )

    def finish(self, root: Any) -> bytes:
        for element in root.iter():
            name = element.tag
            if self.version == "3.0":
                for key in list(element.attrib):
                    kebab = re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), key)
                    if kebab != key:
                        element.attrib[kebab] = element.attrib.pop(key)
                if name not in _HTML:
                    name = "qti-" + re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), name)
            element.tag = f"{{{self.namespace}}}{name}"
        schema = SCHEMA_V3 if self.version == "3.0" else SCHEMA_V2
        root.set(f"{{{NS_XSI}}}schemaLocation", f"{self.namespace} {schema}")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def template(self, name: str) -> str:
        return (TEMPLATE_V3 if self.version == "3.0" else TEMPLATE_V2).format(name)


def _paragraphs(b: _Builder, parent: Any, text: str) -> None:
    for line in text.split("\n"):
        if line.strip():
            b.el(parent, "p", line.strip())


def _item_xml(spec: QuestionSpec, identifier: str, version: str) -> bytes:
    b = _Builder(version)
    title = " ".join(spec.prompt.split())[:80] or identifier
    root = b.root("assessmentItem", identifier=identifier, title=title, adaptive="false", timeDependent="false")
    kind, data = spec.kind, spec.data
    cardinality, base_type = "single", "identifier"
    correct: list[str] = []
    template = "match_correct"
    if kind == "single":
        correct = list(data["correct"])
    elif kind == "multiple":
        cardinality, correct = "multiple", list(data["correct"])
    elif kind == "true_false":
        correct = ["true" if data["correct"] else "false"]
    elif kind == "numeric":
        base_type, correct = "float", [_format_number(data["answer"])]
    elif kind == "text":
        base_type, correct, template = "string", [data["accepted"][0]], "map_response"
    elif kind == "matching":
        cardinality, base_type = "multiple", "directedPair"
        correct = [f"{a} {b_}" for a, b_ in data["pairs"]]
    elif kind == "ordering":
        cardinality, correct = "ordered", list(data["order"])
    else:
        raise ValueError(f"unknown kind {kind!r}")
    declaration = b.el(root, "responseDeclaration", identifier="RESPONSE", cardinality=cardinality, baseType=base_type)
    holder = b.el(declaration, "correctResponse")
    for value in correct:
        b.el(holder, "value", value)
    if kind == "text":
        mapping = b.el(declaration, "mapping", defaultValue="0", lowerBound="0", upperBound=str(spec.points))
        for answer in data["accepted"]:
            b.el(
                mapping,
                "mapEntry",
                mapKey=answer,
                mappedValue=str(spec.points),
                caseSensitive="true" if data.get("case_sensitive") else "false",
            )
    score = b.el(root, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    score.set("normalMaximum", str(spec.points))
    default = b.el(score, "defaultValue")
    b.el(default, "value", "0")
    maxscore = b.el(root, "outcomeDeclaration", identifier="MAXSCORE", cardinality="single", baseType="float")
    b.el(b.el(maxscore, "defaultValue"), "value", str(spec.points))
    b.el(root, "outcomeDeclaration", identifier="FEEDBACK", cardinality="single", baseType="identifier")
    body = b.el(root, "itemBody")
    _paragraphs(b, body, spec.prompt)
    if kind in ("single", "multiple", "true_false"):
        interaction = b.el(
            body,
            "choiceInteraction",
            responseIdentifier="RESPONSE",
            shuffle="false",
            maxChoices="1" if kind != "multiple" else "0",
        )
        choices = (
            data["choices"]
            if kind != "true_false"
            else [{"id": "true", "text": "True", "feedback": ""}, {"id": "false", "text": "False", "feedback": ""}]
        )
        for choice in choices:
            element = b.el(interaction, "simpleChoice", choice["text"], identifier=choice["id"])
            if choice.get("feedback"):
                b.el(
                    element,
                    "feedbackInline",
                    choice["feedback"],
                    outcomeIdentifier="FEEDBACK",
                    identifier=choice["id"],
                    showHide="show",
                )
    elif kind in ("numeric", "text"):
        b.el(b.el(body, "p"), "textEntryInteraction", responseIdentifier="RESPONSE", expectedLength="20")
    elif kind == "matching":
        interaction = b.el(
            body, "matchInteraction", responseIdentifier="RESPONSE", shuffle="false", maxAssociations=len(data["left"])
        )
        for side, match_max in (("left", "1"), ("right", "0")):
            match_set = b.el(interaction, "simpleMatchSet")
            for choice in data[side]:
                b.el(match_set, "simpleAssociableChoice", choice["text"], identifier=choice["id"], matchMax=match_max)
    else:
        interaction = b.el(body, "orderInteraction", responseIdentifier="RESPONSE", shuffle="false")
        for choice in data["items"]:
            b.el(interaction, "simpleChoice", choice["text"], identifier=choice["id"])
    if kind == "numeric" and float(data.get("tolerance") or 0) > 0:
        _tolerance_processing(b, root, data, spec.points)
    else:
        b.el(root, "responseProcessing", template=b.template(template))
    for key, text in (("correct", spec.feedback_correct), ("incorrect", spec.feedback_incorrect)):
        if text:
            feedback = b.el(root, "modalFeedback", outcomeIdentifier="FEEDBACK", identifier=key, showHide="show")
            holder = b.el(feedback, "contentBody") if version == "3.0" else feedback
            _paragraphs(b, holder, text)
    return b.finish(root)


def _format_number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _tolerance_processing(b: _Builder, root: Any, data: dict[str, Any], points: int) -> None:
    """Custom processing: right when the response is within the absolute tolerance (no template does this)."""
    processing = b.el(root, "responseProcessing")
    condition = b.el(processing, "responseCondition")
    when = b.el(condition, "responseIf")
    tolerance = _format_number(data["tolerance"])
    equal = b.el(when, "equal", toleranceMode="absolute", tolerance=f"{tolerance} {tolerance}")
    b.el(equal, "variable", identifier="RESPONSE")
    b.el(equal, "correct", identifier="RESPONSE")
    for branch, score, feedback in ((when, points, "correct"), (b.el(condition, "responseElse"), 0, "incorrect")):
        b.el(b.el(branch, "setOutcomeValue", identifier="SCORE"), "baseValue", str(score), baseType="float")
        b.el(b.el(branch, "setOutcomeValue", identifier="FEEDBACK"), "baseValue", feedback, baseType="identifier")


def _test_xml(title: str, hrefs: Iterable[tuple[str, str]], version: str) -> bytes:
    b = _Builder(version)
    root = b.root("assessmentTest", identifier="TEST", title=title or "Quiz")
    part = b.el(root, "testPart", identifier="PART-1", navigationMode="nonlinear", submissionMode="simultaneous")
    section = b.el(part, "assessmentSection", identifier="SECTION-1", title=title or "Quiz", visible="true")
    for identifier, href in hrefs:
        b.el(section, "assessmentItemRef", identifier=identifier, href=posixpath.relpath(href, "."))
    return b.finish(root)


def _manifest_xml(items: Sequence[tuple[str, str, tuple[str, ...]]], test_href: str, version: str) -> bytes:
    namespace = NS_CP_V3 if version == "3.0" else NS_CP_V2
    suffix = "v3p0" if version == "3.0" else "v2p1"
    manifest = etree.Element(
        f"{{{namespace}}}manifest", identifier="MANIFEST", nsmap={None: namespace, "imsmd": NS_LOM}
    )

    def el(parent: Any, tag: str, text: str | None = None, ns: str = namespace, **attrs: str) -> Any:
        element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    metadata = el(manifest, "metadata")
    el(metadata, "schema", "QTI Package" if version == "3.0" else "QTIv2.1 Package")
    el(metadata, "schemaversion", "3.0.0" if version == "3.0" else "2.1.0")
    el(manifest, "organizations")
    resources = el(manifest, "resources")
    for identifier, href, tags in items:
        resource = el(resources, "resource", identifier=f"RES-{identifier}", type=f"imsqti_item_xml{suffix}", href=href)
        if tags:
            general = el(el(el(resource, "metadata"), "lom", ns=NS_LOM), "general", ns=NS_LOM)
            for tag in tags:
                el(el(general, "keyword", ns=NS_LOM), "string", tag, ns=NS_LOM)
        el(resource, "file", href=href)
    test = el(resources, "resource", identifier="RES-TEST", type=f"imsqti_test_xml{suffix}", href=test_href)
    el(test, "file", href=test_href)
    for identifier, _href, _tags in items:
        el(test, "dependency", identifierref=f"RES-{identifier}")
    return etree.tostring(manifest, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_package(specs: Sequence[QuestionSpec], title: str, *, version: str = "3.0") -> bytes:
    """A QTI content package (zip bytes): the manifest, an assessment test in the given order, one file per item."""
    if version not in ("2.1", "3.0"):
        raise ValueError(f"QTI version {version!r}: only 2.1 and 3.0 are written")
    used: set[str] = set()
    items: list[tuple[str, str, tuple[str, ...]]] = []
    files: list[tuple[str, bytes]] = []
    for number, spec in enumerate(specs, start=1):
        identifier = _qti_identifier(spec.identifier, f"item-{number}")
        while identifier in used:
            identifier = f"{identifier}-{number}"
        used.add(identifier)
        href = f"items/{identifier}.xml"
        items.append((identifier, href, tuple(spec.tags)))
        files.append((href, _item_xml(spec, identifier, version)))
    test_href = "test.xml"
    buffer = io.BytesIO()
    stamp = (2020, 1, 1, 0, 0, 0)  # fixed, so the same quiz gives the same bytes
    with zipfile.ZipFile(buffer, "w") as archive:
        contents = [
            (MANIFEST, _manifest_xml(items, test_href, version)),
            (test_href, _test_xml(title, [(i, h) for i, h, _ in items], version)),
            *files,
        ]
        for name, content in contents:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
