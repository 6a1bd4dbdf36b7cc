"""Fonts for report PDFs, and the per-character choice between them.

ReportLab's standard 14 fonts only encode Latin-1/cp1252, which cannot show names such as Łukasz,
Dvořák or Nguyễn. The primary face is Bitstream Vera, which ships inside the reportlab wheel (so it is
present wherever the renderer can run, and every machine lays a report out the same way). Vera stops
short of several alphabets UK names use (Welsh ŵ ŷ, Polish ą ę, Czech ř, Romanian ș ț, Vietnamese), so
DejaVu Sans, a descendant of Vera with the same design and far wider coverage, fills in character by
character when the operating system has it (Debian's fonts-dejavu-core). A character neither face has
is shown as its base letter (ř -> r), or as "?" if it has none; it never raises. Right-to-left scripts
are shown as "?" even where DejaVu has the letters, since ReportLab would set them unjoined and in the
wrong order (it needs fribidi and HarfBuzz for that, which we do not install).
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

Style = Literal["regular", "bold", "italic", "bold-italic"]
STYLES: tuple[Style, ...] = ("regular", "bold", "italic", "bold-italic")

REPLACEMENT = "?"

# Searched in order; the first family that loads is primary, the others fill in missing characters.
_VERA_DIR = Path(reportlab.__file__).parent / "fonts"
_DEJAVU_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/TTF"),  # Arch
)
_CANDIDATES: tuple[tuple[str, tuple[Path, ...], Mapping[Style, str]], ...] = (
    (
        "CrVera",
        (_VERA_DIR,),
        {"regular": "Vera.ttf", "bold": "VeraBd.ttf", "italic": "VeraIt.ttf", "bold-italic": "VeraBI.ttf"},
    ),
    (
        "CrDejaVu",
        _DEJAVU_DIRS,
        {
            "regular": "DejaVuSans.ttf",
            "bold": "DejaVuSans-Bold.ttf",
            "italic": "DejaVuSans-Oblique.ttf",
            "bold-italic": "DejaVuSans-BoldOblique.ttf",
        },
    ),
)

# Combining marks, format and control characters that no face has are dropped rather than shown as "?":
# they carry no letter of their own (the base letter is kept), and a stray "?" would look like a typo.
_DROP_CATEGORIES = frozenset({"Mn", "Me", "Mc", "Cf", "Cc"})
_RIGHT_TO_LEFT = frozenset({"R", "AL"})
# Hebrew, Arabic, Syriac, Thaana, N'Ko ... and their presentation forms: marks and digits included.
_RIGHT_TO_LEFT_BLOCKS = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))


def _right_to_left_block(code: int) -> bool:
    return any(low <= code <= high for low, high in _RIGHT_TO_LEFT_BLOCKS)


@dataclass(frozen=True)
class Family:
    """One typeface in four styles, registered with ReportLab under `name`, `name-Bold`, ..."""

    name: str
    faces: Mapping[Style, str]  # style -> registered ReportLab font name
    glyphs: Mapping[Style, frozenset[int]]  # code points each face can show (DejaVu's oblique has fewer)
    source: str  # where it was loaded from, for the documentation and logs


class Fonts:
    """The loaded families, and the font each character of a text is drawn in."""

    def __init__(self, families: tuple[Family, ...]) -> None:
        self.families = families
        self.primary = families[0]
        self._resolved: dict[tuple[str, Style], tuple[str, str]] = {}

    def font(self, style: Style) -> str:
        return self.primary.faces[style]

    def runs(self, text: str, style: Style) -> list[tuple[str, str]]:
        """`text` as (font name, text) runs that the fonts can show; unshowable characters substituted."""
        out: list[tuple[str, str]] = []
        for char in unicodedata.normalize("NFC", text):
            font, shown = self._resolve(char, style)
            if not shown:
                continue
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + shown)
            else:
                out.append((font, shown))
        return out

    def markup(self, text: str, style: Style) -> str:
        """`text` escaped for ReportLab's paragraph mini-markup, with fallback runs in <font> tags.

        A newline becomes a line break (<br/>); all other markup characters are shown literally.
        """
        primary = self.font(style)
        parts: list[str] = []
        for font, run in self.runs(text, style):
            escaped = "<br/>".join(escape(line) for line in run.split("\n"))
            parts.append(escaped if font == primary else f'<font name="{font}">{escaped}</font>')
        return "".join(parts)

    def unshowable(self, texts: Iterable[str]) -> set[str]:
        """The characters of `texts` that are substituted or dropped because no family has them."""
        missing: set[str] = set()
        for text in texts:
            for char in unicodedata.normalize("NFC", text):
                if not char.isspace() and self._resolve(char, "regular")[1] != char:
                    missing.add(char)
        return missing

    def _family_for(self, code: int, style: Style) -> Family | None:
        for family in self.families:
            if code in family.glyphs[style]:
                return family
        return None

    def _resolve(self, char: str, style: Style) -> tuple[str, str]:
        key = (char, style)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve_uncached(char, style)
        return found

    def _resolve_uncached(self, char: str, style: Style) -> tuple[str, str]:
        primary = self.font(style)
        if char == "\n":
            return primary, "\n"
        if char.isspace():
            # Tabs and exotic spaces (thin, em, ideographic) are not in every face; a space is.
            return primary, " "
        category = unicodedata.category(char)
        if category == "Cc":
            return primary, ""
        if unicodedata.bidirectional(char) in _RIGHT_TO_LEFT or _right_to_left_block(ord(char)):
            # DejaVu has Hebrew and Arabic letters, but ReportLab without fribidi and HarfBuzz would set
            # them left to right and unjoined: a different word, which is worse than a visible gap.
            return primary, "" if category in _DROP_CATEGORIES else REPLACEMENT
        family = self._family_for(ord(char), style)
        if family is not None:
            return family.faces[style], char
        if category in _DROP_CATEGORIES:
            return primary, ""
        # Compatibility decomposition without the marks: ř -> r, ﬁ -> fi, full-width Ａ -> A.
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if base and base != char and all(ord(c) in self.primary.glyphs[style] for c in base):
            return primary, base
        return primary, REPLACEMENT


_lock = threading.Lock()
_loaded: Fonts | None = None


def load_fonts() -> Fonts:
    """Register the report fonts with ReportLab (once per process) and return them."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = Fonts(_register_families())
        return _loaded


def _register_families() -> tuple[Family, ...]:
    families: list[Family] = []
    for name, directories, files in _CANDIDATES:
        family = _register(name, directories, files)
        if family is not None:
            families.append(family)
    if not families:
        # No TrueType font at all (a stripped-down reportlab): the built-in Helvetica still renders,
        # limited to what its WinAnsi encoding can show.
        logger.warning("No TrueType font found for report PDFs; falling back to Helvetica (cp1252 only)")
        families.append(_helvetica())
    return tuple(families)


def _register(name: str, directories: tuple[Path, ...], files: Mapping[Style, str]) -> Family | None:
    for directory in directories:
        paths = {style: directory / files[style] for style in STYLES}
        if not all(path.is_file() for path in paths.values()):
            continue
        faces = {style: name if style == "regular" else f"{name}-{_suffix(style)}" for style in STYLES}
        try:
            loaded = {style: TTFont(faces[style], str(paths[style])) for style in STYLES}
        except Exception:  # a damaged or unreadable font file must not stop reports: try the next one
            logger.exception("Could not load the font %s from %s", name, directory)
            continue
        for font in loaded.values():
            pdfmetrics.registerFont(font)
        pdfmetrics.registerFontFamily(
            name, normal=faces["regular"], bold=faces["bold"], italic=faces["italic"], boldItalic=faces["bold-italic"]
        )
        glyphs = {style: frozenset(font.face.charToGlyph) for style, font in loaded.items()}
        return Family(name=name, faces=faces, glyphs=glyphs, source=str(directory))
    return None


def _suffix(style: Style) -> str:
    return {"regular": "", "bold": "Bold", "italic": "Italic", "bold-italic": "BoldItalic"}[style]


def _helvetica() -> Family:
    showable = bytes(range(32, 256)).decode("cp1252", errors="ignore")
    return Family(
        name="Helvetica",
        faces={
            "regular": "Helvetica",
            "bold": "Helvetica-Bold",
            "italic": "Helvetica-Oblique",
            "bold-italic": "Helvetica-BoldOblique",
        },
        glyphs=dict.fromkeys(STYLES, frozenset(map(ord, showable))),
        source="built-in",
    )
