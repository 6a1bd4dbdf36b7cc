"""Reading untrusted XML safely: a size cap before parsing, no DTDs, and plain-English errors.

A Common Transfer File arrives from another school's system, by upload, so it is treated as hostile:

* the size is checked before a byte is parsed (and an upload is read in chunks, stopping at the cap);
* any document type declaration is refused. A CTF never has one, and a DTD is how the classic XML
  attacks work: entity expansion ("billion laughs"), external entities that read local files
  (``file:///etc/passwd``) or make network requests, external DTDs;
* the parser itself is configured not to expand entities, load DTDs or touch the network, so even a
  declaration the early check misses is inert;
* every syntax error becomes a :class:`CtfError` with a line number and a sentence an office can act on.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from lxml import etree

from commonroom.interop.ctf.errors import CtfError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
# The prolog (declaration, comments, processing instructions) before a DOCTYPE is normally a few
# hundred bytes; a document that hides its DOCTYPE further in is caught after parsing instead.
_PROLOG_SCAN_CHARS = 1024 * 1024

REFUSED_DOCTYPE = (
    "The file contains a document type declaration (<!DOCTYPE ...>). A Common Transfer File never has one, "
    "and such declarations can be used to attack the importer, so the file was not read."
)


class Readable(Protocol):
    """A binary file object: Django's UploadedFile, an open file, io.BytesIO."""

    def read(self, size: int = ..., /) -> bytes: ...


def hardened_parser() -> Any:
    """A new lxml parser that never expands entities, loads a DTD or uses the network.

    A new one each time: lxml parsers keep state and are not safe to share between threads.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,  # keeps libxml2's limits on depth and text size
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def too_large(max_bytes: int) -> CtfError:
    return CtfError(
        f"The file is larger than the {_megabytes(max_bytes)} limit for a Common Transfer File, so it was not read. "
        "Check it is the right file; a very large transfer can be sent in parts."
    )


def read_upload(fileobj: Readable, *, max_bytes: int = DEFAULT_MAX_BYTES, chunk_bytes: int = CHUNK_BYTES) -> bytes:
    """The contents of an uploaded file, read in chunks and refused as soon as they pass ``max_bytes``.

    A 50 MB upload is refused after reading just over ``max_bytes``, never all of it. When the object
    says its size (Django's UploadedFile has ``size``), an oversized file is refused without reading.
    """
    declared = getattr(fileobj, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise too_large(max_bytes)
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = fileobj.read(chunk_bytes)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _prolog_text(data: bytes) -> str:
    """The start of the document as text, enough to look for a DOCTYPE in the prolog."""
    head = data[: _PROLOG_SCAN_CHARS * 4]
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be")):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore")[:_PROLOG_SCAN_CHARS]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")[:_PROLOG_SCAN_CHARS]
    # Latin-1 maps every byte to a character, so any ASCII-compatible encoding (UTF-8 included) reads
    # correctly for the ASCII markup we look for.
    return head[:_PROLOG_SCAN_CHARS].decode("latin-1").removeprefix("\xef\xbb\xbf")


def _declares_doctype(data: bytes) -> bool:
    """Whether a DOCTYPE comes before the root element. Only the prolog is examined, so a CTF that
    mentions "<!DOCTYPE" inside a comment or CDATA further in is not refused by mistake."""
    text = _prolog_text(data)
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if text.startswith("<?", position):
            closing = "?>"
        elif text.startswith("<!--", position):
            closing = "-->"
        else:
            return text.startswith("<!DOCTYPE", position)
        end = text.find(closing, position)
        if end < 0:
            return False  # the prolog runs past what we scanned; the check after parsing applies
        position = end + len(closing)


_LIBXML_POSITION = re.compile(r",? line \d+, column \d+\s*$")

# libxml2's wording, for the errors an office is likely to meet, in words they can act on.
_PLAIN_ENGLISH = (
    ("Document is empty", "the file is empty or is not XML"),
    ("Start tag expected", "this is not an XML file (a Common Transfer File starts with <?xml or <CTfile>)"),
    ("Premature end of data", "the file ends too early: it may have been cut short while copying or uploading"),
    ("EndTag: '</' not found", "the file ends too early: it may have been cut short while copying or uploading"),
    ("Opening and ending tag mismatch", "a closing tag does not match the tag it should close"),
    ("Extra content at the end of the document", "there is more after the end of the document"),
    ("not defined", "it uses a named entity (&name;) that XML does not know"),
    ("Input is not proper UTF-8", "the file is not in the character encoding it declares (usually UTF-8)"),
    ("Invalid bytes in character encoding", "the file is not in the character encoding it declares (usually UTF-8)"),
    ("amplification", "it defines entities that would expand enormously, a known attack"),
    ("entity reference loop", "it defines entities that would expand enormously, a known attack"),
    ("Char 0x0 out of allowed range", "the file contains characters XML does not allow"),
    ("invalid character in attribute value", "the file contains characters XML does not allow"),
    ("Excessive depth", "elements are nested far deeper than any Common Transfer File"),
)


def plain_syntax_error(error: Any) -> str:
    """A sentence for an lxml XMLSyntaxError, with its line number."""
    detail = _LIBXML_POSITION.sub("", str(getattr(error, "msg", "") or error)).strip()
    explanation = next((plain for marker, plain in _PLAIN_ENGLISH if marker in detail), None)
    line = getattr(error, "lineno", None)
    where = f" at line {line}" if line else ""
    if explanation:
        return f"The file could not be read as XML{where}: {explanation} ({detail})."
    return f"The file could not be read as XML{where}: {detail}."


def parse_bytes(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """The root element of ``data``, parsed safely, or a :class:`CtfError` saying why not.

    Returns an ``lxml.etree._Element``. Comments and processing instructions are dropped.
    """
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    if not data or data.isspace():
        raise CtfError("The file is empty.")
    if _declares_doctype(data):
        raise CtfError(REFUSED_DOCTYPE)
    try:
        root = etree.fromstring(data, parser=hardened_parser())
    except etree.XMLSyntaxError as error:
        raise CtfError(plain_syntax_error(error)) from None
    except ValueError as error:  # lxml refuses some inputs (e.g. a str with an encoding declaration) this way
        raise CtfError(f"The file could not be read as XML: {error}.") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise CtfError(REFUSED_DOCTYPE)
    return root
