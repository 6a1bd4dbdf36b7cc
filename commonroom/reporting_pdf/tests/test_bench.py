"""The benchmark keeps working, and its generated reports are what it says they are."""

from __future__ import annotations

import json
import random

import pytest

from commonroom.reporting_pdf import bench


def test_generated_reports_have_8_subjects_of_3_aspects_and_60_to_120_word_comments() -> None:
    reports = list(bench.sample_reports(20))
    comments = [s.comment for r in reports for s in r.subjects] + [p.comment for r in reports for p in r.pastoral]

    assert all(len(r.subjects) == 8 and len(r.pastoral) == 2 for r in reports)
    assert all(len(s.grades) == 3 for r in reports for s in r.subjects)
    assert all(60 <= len(c.split()) <= 120 for c in comments)
    assert [r.learner_name for r in bench.sample_reports(3)] == [r.learner_name for r in reports[:3]]
    assert bench.sample_comment(random.Random(1), "Zoë") == bench.sample_comment(random.Random(1), "Zoë")


def test_main_prints_the_figures_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    bench.main(["2"])
    figures = json.loads(capsys.readouterr().out)

    assert figures["learners"] == 2
    assert figures["pages"] >= 2
    assert set(figures) == {
        "learners",
        "pages",
        "seconds",
        "per_learner_ms",
        "cpu_seconds",
        "peak_rss_mb",
        "tracemalloc_peak_mb",
        "bytes",
    }
