"""Report PDFs: structure, text, fonts, the cycle file and determinism. Pure: no database."""

from __future__ import annotations

import datetime
import gc
import io
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from reportlab.platypus import Paragraph

from commonroom.reporting_pdf import render
from commonroom.reporting_pdf.document import GradeCell, PastoralSection, ReportDocument, SubjectSection
from commonroom.reporting_pdf.fonts import Fonts, load_fonts
from commonroom.reporting_pdf.render import render_report, render_reports
from commonroom.reporting_pdf.tests.pdfread import Pdf, normalise

COMMENT = (
    "Amelia has worked steadily this term and her written answers are clear and well organised. "
    "She asks good questions and listens carefully to feedback."
)
LONG_COMMENT = " ".join(
    ["Amelia has worked steadily this term and her written answers are clear and well organised."] * 8
)  # 120 words


def subject(name: str, comment: str = COMMENT, **grades: str) -> SubjectSection:
    cells = tuple(GradeCell(aspect, value) for aspect, value in (grades or {"Attainment": "6", "Effort": "2"}).items())
    return SubjectSection(subject=name, teachers=("Ms R. Okafor",), grades=cells, comment=comment)


def report(**changes: object) -> ReportDocument:
    base = ReportDocument(
        school_name="Oakfield Community School",
        cycle_name="Year 10 summer report 2026",
        issued_on=datetime.date(2026, 7, 10),
        learner_name="Amelia Smith",
        upn_hint="1234",
        year_group="Year 10",
        registration_group="10A",
        attendance="94.2% (attended 316 of 336 sessions)",
        subjects=(subject("Mathematics"), subject("English")),
        pastoral=(PastoralSection("Form tutor", "Mr P. Adeyemi", "A kind and reliable member of 10A."),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def long_report(**changes: object) -> ReportDocument:
    # Seven subjects of 120 words lay out to three pages; six and eight do too, so this is not on an edge.
    subjects = tuple(subject(f"Subject {n}", LONG_COMMENT) for n in range(1, 8))
    pastoral = (PastoralSection("Form tutor", "Mr P. Adeyemi", LONG_COMMENT),)
    return replace(report(subjects=subjects, pastoral=pastoral), **changes)  # type: ignore[arg-type]


def readable(doc: ReportDocument) -> Pdf:
    return Pdf(render_report(doc, invariant=True, compress=False))


def all_text(pdf: Pdf) -> str:
    return normalise("\n".join(pdf.page_texts()))


def test_a_report_is_a_pdf() -> None:
    data = render_report(report())

    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


def test_a_short_report_is_one_page_and_a_long_one_three() -> None:
    assert len(Pdf(render_report(report())).pages()) == 1
    assert len(Pdf(render_report(long_report())).pages()) == 3


def test_the_text_holds_the_learner_the_grades_and_the_comments() -> None:
    data = render_report(report(), invariant=True, compress=False)
    text = all_text(Pdf(data))

    # Uncompressed, ASCII text of the primary font is legible in the bytes themselves (the footer line).
    assert b"(Amelia Smith)" in data
    assert "Oakfield Community School Year 10 summer report 2026" in text
    assert "Learner Amelia Smith" in text
    assert "Attendance 94.2% (attended 316 of 336 sessions)" in text
    assert "Issued 10 July 2026" in text
    assert "UPN ending …1234" in text
    assert "Subject Attainment Effort Mathematics 6 2 English 6 2" in text
    assert f"Mathematics Teacher: Ms R. Okafor {COMMENT}" in text
    assert "Form tutor Mr P. Adeyemi A kind and reliable member of 10A." in text


def test_every_page_has_the_learner_and_page_n_of_m_in_the_footer() -> None:
    pages = readable(long_report(footer_note="Demo data: generated, not a real learner")).page_texts()

    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert page.splitlines()[-3:] == [
            "Amelia Smith",
            f"Page {number} of 3",
            "Demo data: generated, not a real learner",
        ]


def test_a_report_with_nothing_but_the_learner_is_one_page() -> None:
    bare = SubjectSection(subject="Music", teachers=(), grades=(), comment="  \n\n ")
    text = all_text(readable(report(subjects=(bare,), pastoral=())))

    assert "Grades" not in text and "Pastoral comments" not in text
    assert "Subject comments Music No written comment this cycle." in text
    assert len(Pdf(render_report(report(subjects=(), pastoral=()))).pages()) == 1


def test_markup_in_the_text_is_shown_literally() -> None:
    comment = '<b>& bold?</b> 3 < 4 && 5 > 2; &amp; <font name="Courier">mono</font> <br/>'
    pdf = readable(report(subjects=(subject("Maths <i>", comment),), learner_name="A & B <Smith>"))
    text = all_text(pdf)

    assert comment in text
    assert "Maths <i>" in text
    assert "A & B <Smith>" in text
    assert "A & B <Smith>" in pdf.outline_titles()
    assert b"/BaseFont /Courier" not in pdf.data  # the word is in the text; no font of that name


def test_paragraphs_split_at_blank_lines_and_single_newlines_break_lines() -> None:
    pdf = readable(report(subjects=(subject("Art", "First paragraph.\n\n\nSecond line one\nline two."),)))
    page = pdf.page_texts()[0]

    assert "First paragraph.\nSecond line one\nline two." in page


def test_empty_comment_optional_fields_and_only_the_aspects_present() -> None:
    subjects = (
        subject("Mathematics", "", Attainment="7", Predicted="8"),
        subject("English", COMMENT, Attainment="6", Effort="1"),
    )
    text = all_text(readable(report(subjects=subjects, attendance=None, upn_hint="")))

    assert "Mathematics Teacher: Ms R. Okafor No written comment this cycle." in text
    assert "Subject Attainment Predicted Effort Mathematics 7 8 – English 6 – 1" in text
    assert "Target" not in text
    assert "Attendance" not in text
    assert "UPN" not in text


@pytest.mark.parametrize(
    "name",
    ["Łukasz Kowalczyk", "Zoë Brontë", "Nguyễn Văn An", "Elif Şahin", "Siobhán Ní Bhriain", "Gwenllïan ap Rhŷs"],
)
def test_names_beyond_latin_1_render(name: str) -> None:
    pdf = readable(report(learner_name=name))
    fonts = load_fonts()

    assert pdf.outline_titles() == [name]  # the bookmark is a Unicode string whatever the fonts
    if not fonts.unshowable([name]):
        assert f"Learner {name}" in all_text(pdf)
        assert pdf.page_texts()[0].splitlines()[-3] == name  # the footer, not only the body


def test_characters_no_font_has_never_crash() -> None:
    hostile = "Emoji 😀 zero\u200bwidth nul\x00 bell\x07 lone \ud800 han 王 thin\u2009space tab\tend"
    data = render_report(report(learner_name=hostile, subjects=(subject(hostile, hostile),)))

    assert len(Pdf(data).pages()) == 1


def test_without_dejavu_missing_letters_fall_back_to_their_base_letter(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    vera_only = Fonts(load_fonts().families[:1])  # as on a machine with nothing but the reportlab wheel
    monkeypatch.setattr(render, "load_fonts", lambda: vera_only)

    with caplog.at_level(logging.WARNING, logger="commonroom.reporting_pdf.render"):
        pdf = readable(report(learner_name="Antonín Dvořák", subjects=(subject("Welsh", "Mae'n ŵyr i Rhŷs."),)))

    text = all_text(pdf)
    assert "Learner Antonín Dvorák" in text
    assert "Mae'n wyr i Rhys." in text
    assert "U+0159" in caplog.text and "Dvo" not in caplog.text  # which characters, never whose name


def test_fonts_substitute_instead_of_failing() -> None:
    vera_only = Fonts(load_fonts().families[:1])

    assert "".join(run for _, run in vera_only.runs("Dvořák Ｆull 😀\x00", "regular")) == "Dvorák Full ?"
    assert vera_only.unshowable(["Dvořák 😀"]) == {"ř", "😀"}
    assert vera_only.markup("a < b & c\nd", "regular") == "a &lt; b &amp; c<br/>d"
    # Set left to right and unjoined, Hebrew or Arabic would read as another word: a gap is honest.
    assert [run for _, run in load_fonts().runs("Dana שָׁלוֹם\u200f", "regular")] == ["Dana ????"]


def test_the_primary_font_ships_with_reportlab() -> None:
    import reportlab

    primary = load_fonts().primary
    assert primary.name == "CrVera"
    assert primary.source.startswith(reportlab.__path__[0])


def test_metadata_title_author_subject_and_language() -> None:
    pdf = Pdf(render_report(report()))

    assert pdf.info["Title"] == "Amelia Smith – Year 10 summer report 2026"
    assert pdf.info["Author"] == "Oakfield Community School"
    assert pdf.info["Subject"] == "Written report for Amelia Smith, Oakfield Community School"
    assert pdf.catalog["Lang"] == b"en-GB"


def test_a_heading_is_never_the_last_thing_on_a_page() -> None:
    # Comments of every length from 20 to 140 words move the page breaks through every position.
    headings = {f"Subject {n}" for n in range(1, 8)} | {"Form tutor", "Subject comments", "Pastoral comments"}
    for words in range(20, 141, 8):
        comment = " ".join(["Steady progress this term with careful and accurate written work."] * 20).split()[:words]
        doc = long_report(subjects=tuple(subject(f"Subject {n}", " ".join(comment)) for n in range(1, 8)))
        for page in readable(doc).page_texts()[:-1]:
            body = page.splitlines()[:-3]  # without the footer
            assert body[-1] not in headings, (words, body[-3:])
            assert not body[-1].startswith("Teacher:"), (words, body[-3:])


def test_identical_input_gives_identical_bytes_when_invariant() -> None:
    assert render_report(long_report(), invariant=True) == render_report(long_report(), invariant=True)
    assert render_report(report(), invariant=True, compress=False) == render_report(
        report(), invariant=True, compress=False
    )


def cycle(count: int = 3) -> list[ReportDocument]:
    names = ["Amelia Smith", "Łukasz Kowalczyk", "Zoë Brontë", "Noah Patel", "Isla Jones", "Yusuf Ahmed"]
    return [long_report(learner_name=names[n]) if n == 1 else report(learner_name=names[n]) for n in range(count)]


def test_a_cycle_is_one_pdf_with_a_bookmark_and_page_numbers_per_learner() -> None:
    calls: list[int] = []
    out = io.BytesIO()

    count = render_reports(cycle(3), out, progress=calls.append, invariant=True, compress=False)

    pdf = Pdf(out.getvalue())
    assert count == 3
    assert calls == [1, 2, 3]
    assert pdf.outline_titles() == ["Amelia Smith", "Łukasz Kowalczyk", "Zoë Brontë"]
    footers = [page.splitlines()[-3:-1] for page in pdf.page_texts()]
    assert footers == [
        ["Amelia Smith", "Page 1 of 1"],
        ["Łukasz Kowalczyk", "Page 1 of 3"],
        ["Łukasz Kowalczyk", "Page 2 of 3"],
        ["Łukasz Kowalczyk", "Page 3 of 3"],
        ["Zoë Brontë", "Page 1 of 1"],
    ]
    # Each learner starts a page: their school heading is at its top, and their bookmark points there.
    assert [n for n, page in enumerate(pdf.page_texts()) if page.startswith("Oakfield")] == [0, 1, 4]
    assert pdf.outline_pages() == [0, 1, 4]
    assert pdf.info["Title"] == "Year 10 summer report 2026 – Oakfield Community School"


def test_a_cycle_is_deterministic_when_invariant() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    render_reports(cycle(3), first, invariant=True)
    render_reports(cycle(3), second, invariant=True)

    assert first.getvalue() == second.getvalue()


def test_a_cycle_pulls_each_learner_only_when_the_one_before_is_done() -> None:
    events: list[str] = []

    def reports() -> Iterator[ReportDocument]:
        for doc in cycle(4):
            events.append(f"pulled {doc.learner_name.split()[0]}")
            yield doc

    render_reports(reports(), io.BytesIO(), progress=lambda n: events.append(f"done {n}"))

    assert events == [
        "pulled Amelia",
        "done 1",
        "pulled Łukasz",
        "done 2",
        "pulled Zoë",
        "done 3",
        "pulled Noah",
        "done 4",
    ]


def test_a_cycle_holds_one_learners_paragraphs_at_a_time() -> None:
    live: list[int] = []

    def count_paragraphs(_done: int) -> None:
        gc.collect()
        # type(), not isinstance(): isinstance would wake Django's lazy objects among gc's objects.
        live.append(sum(1 for o in gc.get_objects() if type(o) is Paragraph))

    render_reports(cycle(6), io.BytesIO(), progress=count_paragraphs)

    # The second learner's report is the long one; after it the count must fall back, not accumulate.
    assert max(live[2:]) <= live[0] + 5, live


def test_an_empty_cycle_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one report"):
        render_reports([], io.BytesIO())
