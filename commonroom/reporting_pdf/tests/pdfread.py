"""Just enough of a PDF reader to check ReportLab's output without a PDF library.

No PDF parser is installed (pypdf and friends are not dependencies), and TrueType text is written as
subset codes rather than letters, so searching the raw bytes cannot find a name. This reads the
cross-reference table, the objects it points at, the ToUnicode maps of the fonts and the text-showing
operators of each page (following form XObjects), which is everything ReportLab's output uses.
It is not a general PDF reader: no object streams, no incremental updates, no encryption.
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

PdfValue = Union[int, float, bool, None, bytes, "Name", "Ref", list["PdfValue"], dict[str, "PdfValue"], "Operator"]

_DELIMITERS = b"()<>[]{}/%"
_WHITESPACE = b" \t\r\n\f\x00"
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


@dataclass(frozen=True)
class Name:
    value: str


@dataclass(frozen=True)
class Ref:
    number: int


@dataclass(frozen=True)
class Operator:
    value: str


class _Lexer:
    def __init__(self, data: bytes, position: int = 0) -> None:
        self.data = data
        self.position = position

    def _skip(self) -> None:
        data = self.data
        while self.position < len(data):
            char = data[self.position]
            if char in _WHITESPACE:
                self.position += 1
            elif char == ord("%"):
                end = data.find(b"\n", self.position)
                self.position = len(data) if end < 0 else end + 1
            else:
                return

    def at_end(self) -> bool:
        self._skip()
        return self.position >= len(self.data)

    def value(self) -> PdfValue:
        """The next object; `n 0 R` is read as a Ref, bare words as Operators."""
        self._skip()
        data = self.data
        char = data[self.position : self.position + 1]
        if data.startswith(b"<<", self.position):
            self.position += 2
            result: dict[str, PdfValue] = {}
            while True:
                self._skip()
                if data.startswith(b">>", self.position):
                    self.position += 2
                    return result
                key = self.value()
                assert isinstance(key, Name), key
                result[key.value] = self.value()
        if char == b"[":
            self.position += 1
            items: list[PdfValue] = []
            while True:
                self._skip()
                if data.startswith(b"]", self.position):
                    self.position += 1
                    return items
                items.append(self.value())
        if char == b"(":
            return self._literal_string()
        if char == b"<":
            end = data.index(b">", self.position)
            hexdigits = re.sub(rb"\s", b"", data[self.position + 1 : end])
            self.position = end + 1
            return bytes.fromhex((hexdigits + b"0" * (len(hexdigits) % 2)).decode())
        if char == b"/":
            match = re.compile(rb"/([^\s()<>\[\]{}/%]*)").match(data, self.position)
            assert match is not None
            self.position = match.end()
            return Name(match.group(1).decode("latin-1"))
        match = re.compile(rb"[^\s()<>\[\]{}/%]+").match(data, self.position)
        assert match is not None, data[self.position : self.position + 20]
        word = match.group(0)
        self.position = match.end()
        if re.fullmatch(rb"[+-]?\d+", word):
            reference = re.compile(rb"\s+(\d+)\s+R(?![^\s()<>\[\]{}/%])").match(data, self.position)
            if reference is not None:
                self.position = reference.end()
                return Ref(int(word))
            return int(word)
        if re.fullmatch(rb"[+-]?(\d+\.\d*|\.\d+|\d+)", word):
            return float(word)
        if word in (b"true", b"false"):
            return word == b"true"
        if word == b"null":
            return None
        return Operator(word.decode("latin-1"))

    def _literal_string(self) -> bytes:
        data = self.data
        self.position += 1
        depth = 1
        out = bytearray()
        while True:
            char = data[self.position]
            self.position += 1
            if char == ord("\\"):
                following = data[self.position]
                self.position += 1
                if following in _ESCAPES:
                    out += _ESCAPES[following]
                elif ord("0") <= following <= ord("7"):
                    digits = bytes([following])
                    while len(digits) < 3 and ord("0") <= data[self.position] <= ord("7"):
                        digits += data[self.position : self.position + 1]
                        self.position += 1
                    out.append(int(digits, 8) & 0xFF)
                elif following in b"\r\n":
                    pass  # a line continuation
                else:
                    out.append(following)
            elif char == ord("("):
                depth += 1
                out.append(char)
            elif char == ord(")"):
                depth -= 1
                if depth == 0:
                    return bytes(out)
                out.append(char)
            else:
                out.append(char)


@dataclass
class Stream:
    dictionary: dict[str, PdfValue]
    data: bytes


class Pdf:
    def __init__(self, data: bytes) -> None:
        assert data.startswith(b"%PDF-"), data[:20]
        self.data = data
        startxref = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        lexer = _Lexer(data, startxref)
        assert lexer.value() == Operator("xref")
        self.offsets: dict[int, int] = {}
        while True:
            first = lexer.value()
            if first == Operator("trailer"):
                break
            assert isinstance(first, int)
            count = lexer.value()
            assert isinstance(count, int)
            for number in range(first, first + count):
                offset, _generation, kind = lexer.value(), lexer.value(), lexer.value()
                if kind == Operator("n"):
                    assert isinstance(offset, int)
                    self.offsets[number] = offset
        trailer = lexer.value()
        assert isinstance(trailer, dict)
        self.trailer = trailer
        self._cache: dict[int, PdfValue | Stream] = {}

    def object(self, number: int) -> PdfValue | Stream:
        if number not in self._cache:
            lexer = _Lexer(self.data, self.offsets[number])
            assert lexer.value() == number and lexer.value() == 0 and lexer.value() == Operator("obj")
            value = lexer.value()
            lexer._skip()
            if self.data.startswith(b"stream", lexer.position):
                assert isinstance(value, dict)
                start = self.data.index(b"\n", lexer.position) + 1
                length = self.resolve(value["Length"])
                assert isinstance(length, int)
                self._cache[number] = Stream(value, _decode(value, self.data[start : start + length]))
            else:
                self._cache[number] = value
        return self._cache[number]

    def resolve(self, value: PdfValue | Stream) -> PdfValue | Stream:
        while isinstance(value, Ref):
            value = self.object(value.number)
        return value

    def dictionary(self, value: PdfValue | Stream) -> dict[str, PdfValue]:
        resolved = self.resolve(value)
        if isinstance(resolved, Stream):
            return resolved.dictionary
        assert isinstance(resolved, dict), resolved
        return resolved

    @property
    def catalog(self) -> dict[str, PdfValue]:
        return self.dictionary(self.trailer["Root"])

    @property
    def info(self) -> dict[str, str]:
        return {
            key: text_string(value)
            for key, value in self.dictionary(self.trailer["Info"]).items()
            if isinstance(value, bytes)
        }

    def page_refs(self) -> list[Ref]:
        found: list[Ref] = []

        def walk(ref: PdfValue) -> None:
            node = self.dictionary(ref)
            if node.get("Type") == Name("Pages"):
                kids = node["Kids"]
                assert isinstance(kids, list)
                for kid in kids:
                    walk(kid)
            else:
                assert isinstance(ref, Ref)
                found.append(ref)

        walk(self.catalog["Pages"])
        return found

    def pages(self) -> list[dict[str, PdfValue]]:
        return [self.dictionary(ref) for ref in self.page_refs()]

    def _outline(self) -> Iterator[dict[str, PdfValue]]:
        outlines = self.catalog.get("Outlines")
        item = None if outlines is None else self.dictionary(outlines).get("First")
        while item is not None:
            entry = self.dictionary(item)
            yield entry
            item = entry.get("Next")

    def outline_titles(self) -> list[str]:
        titles = [entry["Title"] for entry in self._outline()]
        return [text_string(title) for title in titles if isinstance(title, bytes)]

    def outline_pages(self) -> list[int]:
        """The index of the page each top-level outline entry points at."""
        refs = self.page_refs()
        found: list[int] = []
        for entry in self._outline():
            destination = entry["Dest"]
            assert isinstance(destination, list) and isinstance(destination[0], Ref)
            found.append(refs.index(destination[0]))
        return found

    def page_texts(self) -> list[str]:
        """The text each page shows, lines separated by newlines (form XObjects included in place)."""
        return [self._content_text(page) for page in self.pages()]

    def _content_text(self, holder: dict[str, PdfValue], contents: bytes | None = None) -> str:
        resources = self.dictionary(holder.get("Resources", {}))
        fonts = self.dictionary(resources.get("Font", {}))
        xobjects = self.dictionary(resources.get("XObject", {}))
        if contents is None:
            stream = self.resolve(holder["Contents"])
            assert isinstance(stream, Stream)
            contents = stream.data
        lexer = _Lexer(contents)
        operands: list[PdfValue] = []
        cmap: dict[int, str] | None = None
        out: list[str] = []
        while not lexer.at_end():
            token = lexer.value()
            if not isinstance(token, Operator):
                operands.append(token)
                continue
            op = token.value
            if op == "Tf":
                font_name = operands[0]
                assert isinstance(font_name, Name)
                cmap = self._to_unicode(fonts[font_name.value])
            elif op in ("Tj", "'", '"'):
                if op != "Tj":
                    out.append("\n")
                shown = operands[-1]
                assert isinstance(shown, bytes)
                out.append(_show(shown, cmap))
            elif op == "TJ":
                array = operands[0]
                assert isinstance(array, list)
                out.extend(_show(part, cmap) for part in array if isinstance(part, bytes))
            elif op in ("T*", "Td", "TD", "ET"):
                out.append("\n")
            elif op == "Do":
                form_name = operands[0]
                assert isinstance(form_name, Name)
                form = self.resolve(xobjects[form_name.value])
                assert isinstance(form, Stream)
                out.append("\n" + self._content_text(form.dictionary, form.data) + "\n")
            operands = []
        return re.sub(r"\n\s*\n+", "\n", "".join(out)).strip()

    def _to_unicode(self, font_ref: PdfValue) -> dict[int, str] | None:
        font = self.dictionary(font_ref)
        if "ToUnicode" not in font:
            return None
        stream = self.resolve(font["ToUnicode"])
        assert isinstance(stream, Stream)
        mapping: dict[int, str] = {}
        text = stream.data.decode("latin-1")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
            for code, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                mapping[int(code, 16)] = bytes.fromhex(target).decode("utf-16-be")
        for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
            for low, high, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                base = int(target, 16)
                for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    mapping[code] = chr(base + offset)
        return mapping


def _show(data: bytes, cmap: dict[int, str] | None) -> str:
    if cmap is None:
        return data.decode("cp1252", errors="replace")
    return "".join(cmap.get(byte, "\ufffd") for byte in data)


def _decode(dictionary: dict[str, PdfValue], data: bytes) -> bytes:
    filters = dictionary.get("Filter", [])
    for name in filters if isinstance(filters, list) else [filters]:
        assert isinstance(name, Name)
        if name.value == "FlateDecode":
            data = zlib.decompress(data)
        elif name.value == "ASCII85Decode":
            data = base64.a85decode(re.sub(rb"\s", b"", data).removesuffix(b"~>"), adobe=False)
        else:
            raise NotImplementedError(name.value)
    return data


# Where PDFDocEncoding differs from Latin-1 (PDF 1.7 reference, appendix D).
_PDFDOC = dict(zip(range(0x18, 0x20), "˘ˇˆ˙˝˛˚˜", strict=True)) | dict(
    zip(range(0x80, 0x9F), "•†‡…—–ƒ⁄‹›−‰„“”‘’‚™ﬁﬂŁŒŠŸŽıłœšž", strict=True)
)
_PDFDOC[0xA0] = "€"


def text_string(value: bytes) -> str:
    """A PDF text string: UTF-16BE with its byte-order mark, else PDFDocEncoding."""
    if value.startswith(b"\xfe\xff"):
        return value[2:].decode("utf-16-be")
    return "".join(_PDFDOC.get(byte, chr(byte)) for byte in value)


def normalise(text: str) -> str:
    """Whitespace collapsed, so text wrapped over lines can be compared with the source."""
    return " ".join(text.split())
