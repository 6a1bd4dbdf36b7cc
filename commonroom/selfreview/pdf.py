"""A review's result as PDF for governors and inspection (ReportLab, the report fonts, no database)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Polygon, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from commonroom.reporting_pdf.fonts import load_fonts
from commonroom.selfreview.selectors import RADAR_RADIUS, RADAR_SIZE, ElementSummary, HistoryRow, ReviewView, _point


def _radar(elements: list[ElementSummary], earlier: dict[int, float | None] | None) -> Drawing:
    count = len(elements)
    drawing = Drawing(RADAR_SIZE, RADAR_SIZE)

    def flip(points: list[tuple[float, float]]) -> list[float]:
        return [c for x, y in points for c in (x, RADAR_SIZE - y)]

    for level in (5, 4, 3, 2, 1):
        drawing.add(Polygon(flip([_point(i, count, level) for i in range(count)]), strokeColor=colors.HexColor("#b1b4b6"),
                            fillColor=None, strokeWidth=0.5))
    centre = RADAR_SIZE / 2
    for i, summary in enumerate(elements):
        x, y = _point(i, count, 1)
        drawing.add(Line(centre, centre, x, RADAR_SIZE - y, strokeColor=colors.HexColor("#b1b4b6"), strokeWidth=0.5))
        lx, ly = _point(i, count, 1, RADAR_RADIUS + 18)
        drawing.add(String(lx, RADAR_SIZE - ly - 4, str(summary.element.number), textAnchor="middle", fontSize=11))
    drawing.add(Polygon(flip([_point(i, count, e.mean_threshold) for i, e in enumerate(elements)]),
                        strokeColor=colors.HexColor("#d4351c"), fillColor=None, strokeWidth=1.5, strokeDashArray=[4, 3]))
    if earlier:
        drawing.add(Polygon(flip([_point(i, count, earlier.get(e.element.number)) for i, e in enumerate(elements)]),
                            strokeColor=colors.HexColor("#505a5f"), fillColor=None, strokeWidth=1.5, strokeDashArray=[1, 2]))
    drawing.add(Polygon(flip([_point(i, count, e.mean_level) for i, e in enumerate(elements)]),
                        strokeColor=colors.HexColor("#1d70b8"), fillColor=colors.Color(0.11, 0.44, 0.72, alpha=0.25),
                        strokeWidth=2))
    return drawing


def _notes(notes: str, files: list[Any]) -> str:
    text = notes[:600]
    if files:
        text += ("\n" if text else "") + "Files: " + ", ".join(f.file_name for f in files)
    return text


def render_result_pdf(data: ReviewView, history: list[HistoryRow], previous: dict[int, float | None] | None,
                      files: dict[int, list[Any]] | None = None) -> bytes:
    fonts = load_fonts()
    body = ParagraphStyle("body", fontName=fonts.font("regular"), fontSize=9.5, leading=12)
    head = ParagraphStyle("head", parent=body, fontName=fonts.font("bold"), fontSize=16, leading=20, spaceAfter=6)
    sub = ParagraphStyle("sub", parent=body, fontName=fonts.font("bold"), fontSize=12, leading=15, spaceBefore=8, spaceAfter=4)

    def p(text: Any, style: ParagraphStyle = body, bold: bool = False) -> Paragraph:
        return Paragraph(fonts.markup(str(text), "bold" if bold else "regular"), style)

    review = data.review
    story: list[Any] = [
        p(f"{review.institution.name}: {review.title}", head),
        p(f"{review.framework.name}, version {review.framework.version}. {review.get_status_display()}"
          + (f", {review.completed_on:%d %B %Y}" if review.completed_on else "") + "."),
        p(f"{data.elements_at_threshold} of {len(data.elements)} elements at the threshold; {data.answered} of "
          f"{data.total} aspects answered. Level 1 is the highest; an aspect is at the threshold when its level is the "
          "threshold or better."),
    ]
    if len(data.elements) >= 3:
        story += [Spacer(1, 4 * mm), _radar(data.elements, previous),
                  p("Blue: this review. Red dashes: the threshold. Grey dots: the previous completed review. "
                    "Numbers are the elements; the outer ring is level 1.")]
    rows: list[list[Any]] = [[p("Element or strand", bold=True), p("Mean level", bold=True), p("Mean threshold", bold=True),
                              p("At threshold", bold=True)]]
    for element in data.elements:
        rows.append([p(f"{element.element.number}. {element.element.name}", bold=True), p(element.mean_level or "–"),
                     p(element.mean_threshold), p(f"{element.met} / {element.total}" + (" (yes)" if element.at_threshold else ""))])
        for strand in element.strands:
            rows.append([p(f"    {strand.strand.code} {strand.strand.name}"), p(strand.mean_level or "–"),
                         p(strand.mean_threshold), p(f"{strand.met} / {strand.total}")])
    table_style = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1"))])
    story += [p("Summary by element and strand", sub), Table(rows, colWidths=[95 * mm, 25 * mm, 25 * mm, 30 * mm],
                                                             repeatRows=1, style=table_style)]
    if len(history) > 1:
        numbers = [e.element.number for e in data.elements]
        hist: list[list[Any]] = [[p("Review", bold=True), *[p(n, bold=True) for n in numbers]]]
        for row in history:
            when = row.review.completed_on or row.review.started_on
            hist.append([p(f"{row.review.title} ({when:%b %Y})"), *[p(row.by_element.get(n) or "–") for n in numbers]])
        width = (175 - 60) * mm / max(1, len(numbers))
        story += [p("Distance travelled: mean level per element", sub),
                  Table(hist, colWidths=[60 * mm, *[width] * len(numbers)], repeatRows=1, style=table_style)]
    aspects: list[list[Any]] = [[p("Aspect", bold=True), p("Level", bold=True), p("Threshold", bold=True), p("Notes", bold=True)]]
    for element in data.elements:
        for line in element.rows:
            aspects.append([p(f"{line.aspect.code} {line.aspect.title}"), p(line.level or "–"), p(line.aspect.threshold),
                            p(_notes(line.answer.notes if line.answer else "", (files or {}).get(line.aspect.pk, [])))])
    story += [p("Every aspect", sub), Table(aspects, colWidths=[65 * mm, 15 * mm, 18 * mm, 77 * mm], repeatRows=1,
                                            style=table_style)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=17 * mm, rightMargin=17 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                      title=f"{review.title}", author="Commonroom").build(story)
    return buffer.getvalue()
