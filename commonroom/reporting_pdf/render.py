"""Written reports as PDF: one learner (`render_report`) or a whole cycle in one file (`render_reports`).

The cycle file is built in one ReportLab pass without holding every learner's flowables: the story
list starts with the first learner only, and an action at the end of each learner appends the next
learner's flowables to the same list while platypus is consuming it (`BaseDocTemplate.build` loops
`while len(flowables)` over the list it was given and deletes each flowable once placed). What does
grow with the number of learners is ReportLab's own PDF object graph: the canvas keeps every finished
page until `save()` (`_CompressingCanvas` keeps them compressed), and `save()` formats the whole file
in memory before writing it to `out`. Measured in docs/report-pdfs.md.

"Page N of M" restarts for each learner. M is unknown while the learner's pages are drawn, so each
footer draws a form XObject that is defined once the learner's last page is known (PDF allows the
reference before the definition, and ReportLab's canvas supports it).
"""

from __future__ import annotations

import datetime
import functools
import io
import logging
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import ActionFlowable

from commonroom.reporting_pdf.document import PastoralSection, ReportDocument, SubjectSection
from commonroom.reporting_pdf.fonts import Fonts, Style, load_fonts

logger = logging.getLogger(__name__)

__all__ = ["render_report", "render_reports"]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 24 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
FOOTER_RULE_Y = 18 * mm
FOOTER_Y = 13.5 * mm
FOOTER_NOTE_Y = 9 * mm
FOOTER_SIZE = 9.0
BODY_SIZE = 10.5
BODY_LEADING = 14.5
GRADE_ROW = 13 + 2 * 4  # cell leading and padding

INK = colors.black
MUTED = colors.HexColor("#333333")  # still over 12:1 against white
RULE = colors.HexColor("#555555")
SHADE = colors.HexColor("#E4E4E4")
STRIPE = colors.HexColor("#F3F3F3")

LANGUAGE = "en-GB"
CREATOR = "Commonroom"
NO_COMMENT = "No written comment this cycle."
MISSING_GRADE = "–"
# Grade-table cells are single values; a runaway string must not make a row taller than a page.
MAX_CELL_CHARS = 120

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def render_report(doc: ReportDocument, *, invariant: bool = False, compress: bool = True) -> bytes:
    """One learner's written report as PDF bytes (A4).

    `invariant` makes the output byte-for-byte repeatable (fixed dates and document id); `compress=False`
    leaves page streams readable, for tests.
    """
    out = io.BytesIO()
    _render(
        iter((doc,)),
        out,
        progress=None,
        invariant=invariant,
        compress=compress,
        title=f"{_one_line(doc.learner_name)} – {_one_line(doc.cycle_name)}",
        subject=f"Written report for {_one_line(doc.learner_name)}, {_one_line(doc.school_name)}",
        show_outline=False,
    )
    return out.getvalue()


def render_reports(
    docs: Iterable[ReportDocument],
    out: BinaryIO,
    *,
    progress: Callable[[int], None] | None = None,
    invariant: bool = False,
    compress: bool = True,
) -> int:
    """Every report of `docs` in one PDF written to `out`; returns how many learners it holds.

    Each learner starts on a new page, has a bookmark (outline entry) of their own and their own page
    numbers. `docs` is consumed lazily, one learner at a time, so it may be a generator over a query;
    `progress(n_done)` is called after each learner. The title and author come from the first report.
    """
    reports = iter(docs)
    first = next(reports, None)
    if first is None:
        raise ValueError("render_reports needs at least one report: an empty PDF is not a valid file")
    cycle = _one_line(first.cycle_name)
    school = _one_line(first.school_name)
    return _render(
        _chain(first, reports),
        out,
        progress=progress,
        invariant=invariant,
        compress=compress,
        title=f"{cycle} – {school}",
        subject=f"Written reports: {cycle}, one learner per section",
        show_outline=True,
    )


def _chain(first: ReportDocument, rest: Iterator[ReportDocument]) -> Iterator[ReportDocument]:
    yield first
    yield from rest


def _render(
    reports: Iterator[ReportDocument],
    out: BinaryIO,
    *,
    progress: Callable[[int], None] | None,
    invariant: bool,
    compress: bool,
    title: str,
    subject: str,
    show_outline: bool,
) -> int:
    first = next(reports)
    fonts = load_fonts()
    template = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=_one_line(first.school_name),
        subject=subject,
        creator=CREATOR,
        lang=LANGUAGE,
        displayDocTitle=1,
        # Otherwise every page and form opens by selecting Helvetica, an unembedded font nothing uses.
        initialFontName=fonts.font("regular"),
        initialFontSize=BODY_SIZE,
        initialLeading=BODY_LEADING,
        invariant=int(invariant),
        pageCompression=int(compress),
    )
    cycle = _Cycle(reports, fonts, _styles(fonts), progress, show_outline=show_outline)
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, FRAME_HEIGHT, id="body", leftPadding=0, rightPadding=0)
    template.addPageTemplates([PageTemplate(id="report", frames=[frame], onPageEnd=cycle.footer)])
    story = cycle.story
    story.extend(cycle.learner(first))
    template.build(story, canvasmaker=_canvas_maker(compress))
    return cycle.done


# --- the cycle: learners fed into the story one at a time ---------------------------------------------


@dataclass
class _Current:
    index: int
    report: ReportDocument
    first_page: int


class _Hook(ActionFlowable):
    """Runs a callable when platypus reaches this point of the story; takes no space on the page."""

    def __init__(self, call: Callable[[Canvas], None]) -> None:
        super().__init__()
        self._call = call

    def apply(self, doc: BaseDocTemplate) -> None:
        self._call(doc.canv)


class _Cycle:
    def __init__(
        self,
        reports: Iterator[ReportDocument],
        fonts: Fonts,
        styles: _Styles,
        progress: Callable[[int], None] | None,
        *,
        show_outline: bool,
    ) -> None:
        self.story: list[Flowable] = []
        self._show_outline = show_outline
        self.done = 0
        self._reports = reports
        self._fonts = fonts
        self._styles = styles
        self._progress = progress
        self._index = 0
        self._current: _Current | None = None

    def learner(self, report: ReportDocument) -> list[Flowable]:
        index = self._index
        self._index += 1
        unshowable = self._fonts.unshowable(_texts(report))
        if unshowable:
            # Only the characters, not the learner: logs are not the place for names.
            logger.warning(
                "Report PDF: no font shows %s; substituted", " ".join(sorted(f"U+{ord(c):04X}" for c in unshowable))
            )
        return [
            _Hook(lambda canv: self._begin(canv, index, report)),
            *_learner_flowables(report, self._fonts, self._styles),
            _Hook(self._end),
        ]

    def _begin(self, canv: Canvas, index: int, report: ReportDocument) -> None:
        self._current = _Current(index=index, report=report, first_page=canv.getPageNumber())
        key = f"learner{index}"
        canv.bookmarkPage(key, fit="XYZ", left=0, top=PAGE_HEIGHT)
        canv.addOutlineEntry(_one_line(report.learner_name), key, level=0)
        if index == 0 and self._show_outline:
            canv.showOutline()  # a cycle file is navigated by learner: open with the bookmarks showing

    def _end(self, canv: Canvas) -> None:
        current = self._current
        assert current is not None
        total = canv.getPageNumber() - current.first_page + 1
        for number in range(1, total + 1):
            canv.beginForm(_page_form(current.index, number))
            self._draw_runs(
                canv, PAGE_WIDTH - MARGIN_X, FOOTER_Y, f"Page {number} of {total}", "regular", align="right"
            )
            canv.endForm()
        self.done += 1
        if self._progress is not None:
            self._progress(self.done)
        following = next(self._reports, None)
        if following is not None:
            # The story list is the one build() is consuming: appending here is what keeps only one
            # learner's flowables alive at a time.
            self.story.extend([PageBreak(), *self.learner(following)])

    def footer(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        current = self._current
        if current is None:  # only if the story failed before its first learner began
            return
        number = canv.getPageNumber() - current.first_page + 1
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN_X, FOOTER_RULE_Y, PAGE_WIDTH - MARGIN_X, FOOTER_RULE_Y)
        canv.setFillColor(INK)
        # Keep the name clear of the page label (at most "Page 99 of 99").
        room = FRAME_WIDTH - stringWidth("Page 99 of 99", self._fonts.font("regular"), FOOTER_SIZE) - 6 * mm
        name = _fit(_one_line(current.report.learner_name), room, self._fonts, "bold")
        self._draw_runs(canv, MARGIN_X, FOOTER_Y, name, "bold")
        canv.doForm(_page_form(current.index, number))
        canv.setFillColor(MUTED)
        note = _fit(_one_line(current.report.footer_note), FRAME_WIDTH, self._fonts, "regular")
        self._draw_runs(canv, MARGIN_X, FOOTER_NOTE_Y, note, "regular")
        canv.restoreState()

    def _draw_runs(self, canv: Canvas, x: float, y: float, text: str, style: Style, *, align: str = "left") -> None:
        runs = self._fonts.runs(text, style)
        if align == "right":
            x -= sum(stringWidth(run, font, FOOTER_SIZE) for font, run in runs)
        # One text object, so that copying or extracting the footer gives the name in one piece.
        text_object = canv.beginText(x, y)
        for font, run in runs:
            text_object.setFont(font, FOOTER_SIZE)
            text_object.textOut(run)
        canv.drawText(text_object)


def _page_form(index: int, number: int) -> str:
    return f"pg{index}n{number}"


def _fit(text: str, width: float, fonts: Fonts, style: Style) -> str:
    """`text` shortened with an ellipsis to fit `width` at footer size."""

    def measure(candidate: str) -> float:
        return sum(stringWidth(run, font, FOOTER_SIZE) for font, run in fonts.runs(candidate, style))

    if measure(text) <= width:
        return text
    text = text[:200]  # nothing longer fits a line at this size; keeps the loop short for absurd input
    while text and measure(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _texts(report: ReportDocument) -> Iterator[str]:
    yield from (report.school_name, report.cycle_name, report.learner_name, report.upn_hint)
    yield from (report.year_group, report.registration_group, report.attendance or "", report.footer_note)
    for subject in report.subjects:
        yield from (subject.subject, subject.comment, *subject.teachers)
        for cell in subject.grades:
            yield from (cell.aspect, cell.value)
    for section in report.pastoral:
        yield from (section.title, section.author, section.comment)


# --- one learner's flowables ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
    school: ParagraphStyle
    cycle: ParagraphStyle
    section: ParagraphStyle
    heading: ParagraphStyle
    byline: ParagraphStyle
    body: ParagraphStyle
    no_comment: ParagraphStyle
    label: ParagraphStyle
    value: ParagraphStyle
    learner: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_subject: ParagraphStyle


def _styles(fonts: Fonts) -> _Styles:
    return _styles_for(fonts.font("regular"), fonts.font("bold"), fonts.font("italic"))


@functools.cache
def _styles_for(regular: str, bold: str, italic: str) -> _Styles:
    body = ParagraphStyle(
        "body",
        fontName=regular,
        fontSize=BODY_SIZE,
        leading=BODY_LEADING,
        textColor=INK,
        spaceAfter=6,
        allowWidows=0,
        allowOrphans=0,
    )
    return _Styles(
        school=ParagraphStyle("school", parent=body, fontName=bold, fontSize=18, leading=22, spaceAfter=2),
        cycle=ParagraphStyle("cycle", parent=body, fontSize=13, leading=17, spaceAfter=10),
        section=ParagraphStyle(
            "section", parent=body, fontName=bold, fontSize=13.5, leading=17, spaceBefore=14, spaceAfter=6
        ),
        heading=ParagraphStyle(
            "heading", parent=body, fontName=bold, fontSize=12, leading=15, spaceBefore=10, spaceAfter=1
        ),
        byline=ParagraphStyle("byline", parent=body, textColor=MUTED, fontSize=10, leading=13, spaceAfter=4),
        body=body,
        no_comment=ParagraphStyle("no_comment", parent=body, fontName=italic, textColor=MUTED),
        label=ParagraphStyle("label", parent=body, textColor=MUTED, fontSize=10, leading=13, spaceAfter=0),
        value=ParagraphStyle("value", parent=body, spaceAfter=0),
        learner=ParagraphStyle("learner", parent=body, fontName=bold, fontSize=12, leading=15, spaceAfter=0),
        cell=ParagraphStyle("cell", parent=body, fontSize=10.5, leading=13, spaceAfter=0, alignment=TA_CENTER),
        cell_head=ParagraphStyle(
            "cell_head", parent=body, fontName=bold, fontSize=10, leading=12.5, spaceAfter=0, alignment=TA_CENTER
        ),
        cell_subject=ParagraphStyle("cell_subject", parent=body, fontSize=10.5, leading=13, spaceAfter=0),
    )


class _KeepWithLines(CondPageBreak):
    """Starts a new page unless `flowables` and `following` points of what comes after them fit.

    keepWithNext would glue a heading to the whole of the next paragraph and push it all over; this
    keeps a heading with its first lines and lets the paragraph split (no orphans) after them.
    """

    def __init__(self, flowables: list[Flowable], following: float) -> None:
        super().__init__(0)
        self._flowables = flowables
        self._following = following

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        needed = self._following
        for flowable in self._flowables:
            needed += flowable.wrap(availWidth, FRAME_HEIGHT)[1]
            needed += flowable.getSpaceBefore() + flowable.getSpaceAfter()
        # Never ask for more than a fresh page can give, or every page would be broken before it.
        self.height = min(needed, FRAME_HEIGHT * 0.5)
        result: tuple[float, float] = super().wrap(availWidth, availHeight)
        return result


def _learner_flowables(report: ReportDocument, fonts: Fonts, styles: _Styles) -> list[Flowable]:
    def para(text: str, style: ParagraphStyle, font_style: Style = "regular") -> Paragraph:
        return Paragraph(fonts.markup(text, font_style), style)

    story: list[Flowable] = [
        para(_one_line(report.school_name), styles.school, "bold"),
        para(_one_line(report.cycle_name), styles.cycle),
        _learner_block(report, fonts, styles),
    ]
    grades = _grade_table(report.subjects, fonts, styles)
    if grades is not None:
        heading = para("Grades", styles.section, "bold")
        story += [_KeepWithLines([heading], 3 * GRADE_ROW), heading, grades]  # the header row and two more
    if report.subjects:
        story += _sections(
            "Subject comments",
            [
                (s.subject, _teachers_line(s), s.comment)
                for s in report.subjects  # keep the school's subject order
            ],
            fonts,
            styles,
        )
    if report.pastoral:
        story += _sections("Pastoral comments", [_pastoral_parts(p) for p in report.pastoral], fonts, styles)
    return story


def _teachers_line(subject: SubjectSection) -> str:
    teachers = [_one_line(t) for t in subject.teachers if t.strip()]
    if not teachers:
        return ""
    return ("Teacher: " if len(teachers) == 1 else "Teachers: ") + ", ".join(teachers)


def _pastoral_parts(section: PastoralSection) -> tuple[str, str, str]:
    return section.title, _one_line(section.author), section.comment


def _sections(title: str, parts: list[tuple[str, str, str]], fonts: Fonts, styles: _Styles) -> list[Flowable]:
    story: list[Flowable] = []
    section_heading = Paragraph(fonts.markup(title, "bold"), styles.section)
    for position, (heading_text, byline_text, comment) in enumerate(parts):
        heading = Paragraph(fonts.markup(_one_line(heading_text), "bold"), styles.heading)
        top: list[Flowable] = [heading]
        if byline_text:
            top.append(Paragraph(fonts.markup(byline_text, "regular"), styles.byline))
        paragraphs = _comment_paragraphs(comment)
        body: list[Flowable]
        if paragraphs:
            body = [Paragraph(fonts.markup(p, "regular"), styles.body) for p in paragraphs]
        else:
            body = [Paragraph(fonts.markup(NO_COMMENT, "italic"), styles.no_comment)]
        lines = 3 * BODY_LEADING  # a heading keeps at least three lines of its comment with it
        if position == 0:
            story += [_KeepWithLines([section_heading, *top], lines), section_heading]
        story += [_KeepWithLines(top, lines), *top, *body]
    return story


def _comment_paragraphs(comment: str) -> list[str]:
    """Paragraphs split at blank lines; single newlines stay line breaks (as Django's linebreaks filter)."""
    text = comment.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def _learner_block(report: ReportDocument, fonts: Fonts, styles: _Styles) -> Table:
    rows: list[tuple[str, str, ParagraphStyle, Style]] = [
        ("Learner", report.learner_name, styles.learner, "bold"),
        ("Year group", report.year_group, styles.value, "regular"),
        ("Registration group", report.registration_group, styles.value, "regular"),
    ]
    if report.upn_hint.strip():
        rows.append(("UPN ending", "…" + report.upn_hint.strip(), styles.value, "regular"))
    if report.attendance is not None:
        rows.append(("Attendance", report.attendance, styles.value, "regular"))
    rows.append(("Issued", _uk_date(report.issued_on), styles.value, "regular"))
    data = [
        [
            Paragraph(fonts.markup(label, "regular"), styles.label),
            Paragraph(fonts.markup(_one_line(value), font), style),
        ]
        for label, value, style, font in rows
    ]
    table = Table(data, colWidths=[40 * mm, FRAME_WIDTH - 40 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.font("regular"), BODY_SIZE),  # else Table selects Helvetica
                ("BOX", (0, 0), (-1, -1), 0.75, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return table


def _grade_table(subjects: tuple[SubjectSection, ...], fonts: Fonts, styles: _Styles) -> Table | None:
    """Subjects as rows, aspects as columns: only aspects some subject has, in the order first met."""
    aspects: list[str] = []
    for subject in subjects:
        for grade in subject.grades:
            aspect = _cell_text(grade.aspect)
            if aspect and aspect not in aspects:
                aspects.append(aspect)
    if not aspects:
        return None

    def cell(text: str, style: ParagraphStyle, font: Style = "regular") -> Paragraph:
        return Paragraph(fonts.markup(text, font), style)

    data: list[list[Any]] = [
        [cell("Subject", styles.cell_subject, "bold")] + [cell(a, styles.cell_head, "bold") for a in aspects]
    ]
    for subject in subjects:
        values: dict[str, list[str]] = {}
        for grade in subject.grades:
            values.setdefault(_cell_text(grade.aspect), []).append(_cell_text(grade.value))
        row = [cell(_cell_text(subject.subject), styles.cell_subject)]
        for aspect in aspects:
            shown = ", ".join(v for v in values.get(aspect, []) if v) or MISSING_GRADE
            row.append(cell(shown, styles.cell))
        data.append(row)
    subject_width = FRAME_WIDTH * (0.4 if len(aspects) <= 4 else 0.3)
    aspect_width = (FRAME_WIDTH - subject_width) / len(aspects)
    table = Table(data, colWidths=[subject_width] + [aspect_width] * len(aspects), repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), fonts.font("regular"), BODY_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    commands += [("BACKGROUND", (0, row), (-1, row), STRIPE) for row in range(2, len(data), 2)]
    table.setStyle(TableStyle(commands))
    return table


def _cell_text(text: str) -> str:
    text = _one_line(text)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1].rstrip() + "…"


def _one_line(text: str) -> str:
    """Whitespace collapsed; control characters dropped and lone surrogates replaced.

    Besides the page, a name goes into the outline and the metadata, which ReportLab encodes itself
    (UTF-16 or PDFDocEncoding): a lone surrogate there would raise UnicodeEncodeError.
    """
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


def _uk_date(day: datetime.date) -> str:
    # Not strftime("%B"): that follows the process locale.
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# --- the canvas ---------------------------------------------------------------------------------------


def _canvas_maker(compress: bool) -> Callable[..., Canvas]:
    return _CompressingCanvas if compress else Canvas


class _CompressingCanvas(Canvas):
    """Compresses each page's content stream as the page is finished.

    ReportLab keeps every finished page's content stream as an uncompressed string until save(), and
    compresses them all then. Compressing as each page ends keeps them small in the meantime: for 240
    learners the peak falls from 13.9 to 10.4 MB (docs/report-pdfs.md). A stream whose dictionary
    already names its /Filter is written as it is (PDFStream.format), so the file is what ReportLab
    would write, less the ASCII85 layer it adds to its own compressed streams (14% smaller).
    """

    def showPage(self) -> None:
        super().showPage()
        page = self._doc.Pages.pages[-1]
        stream = getattr(page, "stream", None)
        if isinstance(stream, str) and not getattr(page, "Contents", None):
            contents = pdfdoc.PDFStream(content=zlib.compress(stream.encode("utf-8")), filters=[])
            contents.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            contents.__Comment__ = "page stream"
            page.Contents = contents
            page.stream = None
