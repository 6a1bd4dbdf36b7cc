"""Benchmark: a whole cycle of generated reports in one PDF, with time and peak memory.

    python -m commonroom.reporting_pdf.bench [N]

N defaults to 240 learners (8 subjects x 3 aspects, 60-120 word comments, 2 pastoral comments each).
The render runs twice in the same process: once plain, for the time and the process's peak RSS, then
under tracemalloc (which slows Python allocation down several times) for the peak of Python memory.
Prints one line of JSON (with the CPU seconds besides the wall-clock ones).
"""

from __future__ import annotations

import datetime
import json
import random
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from commonroom.reporting_pdf.document import GradeCell, PastoralSection, ReportDocument, SubjectSection
from commonroom.reporting_pdf.render import render_reports

SUBJECTS = (
    ("English", "Mr D. Hughes"),
    ("Mathematics", "Ms R. Okafor"),
    ("Science", "Dr A. Şahin"),
    ("History", "Mrs S. Ní Bhriain"),
    ("Geography", "Mr T. Nowak"),
    ("French", "Mme C. Lefèvre"),
    ("Art and design", "Ms J. Ellis"),
    ("Computing", "Mr K. Mensah"),
)
FIRST_NAMES = (
    "Amelia",
    "Olivia",
    "Isla",
    "Zoë",
    "Siobhán",
    "Łukasz",
    "Mohammed",
    "Oliver",
    "Noah",
    "Aoife",
    "Dafydd",
    "Gwenllïan",
    "Chloé",
    "Kacper",
    "Amara",
    "Yusuf",
)
SURNAMES = (
    "Smith",
    "Jones",
    "Nguyễn",
    "Şahin",
    "O'Brien",
    "Kowalczyk",
    "Dvořák",
    "Ahmed",
    "Patel",
    "Williams",
    "Ó Súilleabháin",
    "Brown",
    "Mensah",
    "Taylor",
    "Ap Rhŷs",
    "Ward",
)
OPENINGS = (
    "{name} has made a positive start to the year and contributes thoughtfully in lessons.",
    "{name} works hard and has shown real resilience when tasks have been challenging.",
    "{name} is a settled and capable member of the class who listens carefully.",
    "This has been a mixed term for {name}, with some strong pieces of work.",
)
MIDDLES = (
    "Written work is well organised, and recent assessments show secure understanding of the core ideas.",
    "Homework is usually completed on time and to a good standard, with careful presentation throughout.",
    "In group tasks {name} shares ideas confidently and helps others to stay focused on the question.",
    "The end-of-unit test showed clear progress since the autumn, particularly in extended answers.",
    "Practical work has been careful and safe, and results are recorded accurately and neatly.",
    "Class discussion would benefit from more contributions, as the ideas offered are often perceptive.",
    "Revision notes are detailed, and {name} now uses feedback to improve drafts before handing them in.",
)
TARGETS = (
    "Next steps: check answers against the success criteria before submitting work.",
    "Next steps: read more widely around the topic & bring examples into written answers.",
    "Next steps: show every step of working, so that method marks are not lost.",
    "Next steps: ask for help earlier when something is unclear, rather than waiting.",
)
ASPECTS = ("Attainment", "Effort", "Target")
GRADES = ("4", "5", "6", "7", "8", "Working towards", "Working at")


def sample_comment(rng: random.Random, name: str) -> str:
    """A realistic teacher comment of 60-120 words, in one or two paragraphs."""
    target_words = rng.randint(60, 120)
    sentences = [rng.choice(OPENINGS).format(name=name)]
    middles = list(MIDDLES)
    rng.shuffle(middles)
    closing = rng.choice(TARGETS)
    words = len(sentences[0].split()) + len(closing.split())
    for sentence in middles:
        sentence = sentence.format(name=name)
        if words >= 60 and words + len(sentence.split()) > target_words:
            break
        sentences.append(sentence)
        words += len(sentence.split())
    body = " ".join(sentences)
    return f"{body}\n\n{closing}" if rng.random() < 0.6 else f"{body} {closing}"


def sample_report(rng: random.Random, index: int) -> ReportDocument:
    first = rng.choice(FIRST_NAMES)
    name = f"{first} {rng.choice(SURNAMES)}"
    subjects = tuple(
        SubjectSection(
            subject=subject,
            teachers=(teacher,),
            grades=(
                GradeCell("Attainment", rng.choice(GRADES)),
                GradeCell("Effort", str(rng.randint(1, 4))),
                GradeCell("Target", rng.choice(GRADES[:5])),
            ),
            comment=sample_comment(rng, first),
        )
        for subject, teacher in SUBJECTS
    )
    sessions = rng.randint(300, 336)
    return ReportDocument(
        school_name="Oakfield Community School",
        cycle_name="Year 10 summer report 2026",
        issued_on=datetime.date(2026, 7, 10),
        learner_name=name,
        upn_hint=f"{index % 10000:04d}",
        year_group="Year 10",
        registration_group=f"10{'ABCDEFGH'[index % 8]}",
        attendance=f"{100 * sessions / 336:.1f}% (attended {sessions} of 336 sessions)",
        subjects=subjects,
        pastoral=(
            PastoralSection("Form tutor", "Mr P. Adeyemi", sample_comment(rng, first)),
            PastoralSection("Head of year", "Mrs L. Ferreira", sample_comment(rng, first)),
        ),
        footer_note="Demo data: generated, not a real learner",
    )


def sample_reports(count: int, seed: int = 2026) -> Iterator[ReportDocument]:
    """Generated lazily, like rows from a query, so the input does not hold the whole cycle either."""
    rng = random.Random(seed)
    for index in range(count):
        yield sample_report(rng, index)


_PAGE = re.compile(rb"/Type /Page\b(?!s)")


def count_pages(pdf: bytes) -> int:
    # Page dictionaries are never inside compressed streams in ReportLab's output.
    return len(_PAGE.findall(pdf))


def run(count: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "cycle.pdf"
        started, cpu_started = time.perf_counter(), time.process_time()
        with path.open("wb") as out:
            learners = render_reports(sample_reports(count), out)
        seconds = time.perf_counter() - started
        # Wall time on a shared machine varies with its load; CPU time much less.
        cpu_seconds = time.process_time() - cpu_started
        # Linux reports ru_maxrss in KiB.
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        pdf = path.read_bytes()

        tracemalloc.start()
        with (Path(directory) / "traced.pdf").open("wb") as out:
            render_reports(sample_reports(count), out)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    pages = count_pages(pdf)
    return {
        "learners": learners,
        "pages": pages,
        "seconds": round(seconds, 2),
        "per_learner_ms": round(1000 * seconds / learners, 1),
        "cpu_seconds": round(cpu_seconds, 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "tracemalloc_peak_mb": round(traced_peak / 2**20, 1),
        "bytes": len(pdf),
    }


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    count = int(args[0]) if args else 240
    print(json.dumps(run(count)))


if __name__ == "__main__":
    main()
