"""write_ctf, validate_export and ctf_file_name: the golden file byte for byte, the XSD, the naming convention."""

from __future__ import annotations

import dataclasses
import datetime
from zoneinfo import ZoneInfo

import pytest

from commonroom.interop.ctf import (
    CtfError,
    CtfSchool,
    ctf_file_name,
    ctf_version_for,
    validate_export,
    write_ctf,
)
from commonroom.interop.ctf.model import UNKNOWN_ESTAB, UNKNOWN_LEA
from commonroom.interop.ctf.tests.fixtures import FULL_FILE, FULL_PUPIL, GOLDEN, HEADER, MINIMAL_PUPIL


def test_writer_output_equals_the_golden_file_byte_for_byte() -> None:
    assert write_ctf(FULL_FILE) == GOLDEN.read_bytes()


def test_golden_file_validates_against_the_xsd() -> None:
    validate_export(GOLDEN.read_bytes())


def test_output_is_utf8_with_a_declaration() -> None:
    data = write_ctf(FULL_FILE)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<CTfile>\n  <Header>\n")
    assert "Zoë".encode() in data


def test_an_export_with_an_invalid_upn_fails_validation() -> None:
    bad = dataclasses.replace(MINIMAL_PUPIL, upn="I801200001001")  # I never appears in a UPN
    data = write_ctf(dataclasses.replace(FULL_FILE, pupils=(FULL_PUPIL, bad)), validate=False)
    with pytest.raises(CtfError) as caught:
        validate_export(data)
    line = data[: data.index(b"I801200001001")].count(b"\n") + 1
    (problem,) = caught.value.problems
    assert problem.startswith(f"The exported file does not match the CTF schema at line {line}: Element 'UPN'")
    assert "'I801200001001' is not accepted by the pattern" in problem


def test_write_ctf_validates_by_default() -> None:
    bad = dataclasses.replace(MINIMAL_PUPIL, upn="B80120000500")  # 12 characters
    with pytest.raises(CtfError, match="Element 'UPN'"):
        write_ctf(dataclasses.replace(FULL_FILE, pupils=(bad,)))


def test_every_mismatch_is_listed() -> None:
    bad = dataclasses.replace(MINIMAL_PUPIL, upn="lower", sex="X", nc_year_actual="15")
    with pytest.raises(CtfError) as caught:
        write_ctf(dataclasses.replace(FULL_FILE, pupils=(bad,)))
    assert [problem.split(": ", 1)[1][:20] for problem in caught.value.problems] == [
        "Element 'UPN': [face",
        "Element 'Sex': [face",
        "Element 'NCyearActua",
    ]


def test_a_character_xml_cannot_carry_is_refused_naming_the_pupil() -> None:
    bad = dataclasses.replace(MINIMAL_PUPIL, forename="Ad\x00am")
    with pytest.raises(CtfError) as caught:
        write_ctf(dataclasses.replace(FULL_FILE, pupils=(FULL_PUPIL, bad)))
    assert caught.value.problems == (
        "Pupil 2 (UPN H801200001001, Khan Ad\x00am): <Forename> contains a character that XML cannot carry",
    )


def test_aware_generation_time_is_written_as_uk_local_time() -> None:
    utc = datetime.datetime(2026, 7, 1, 9, 15, 30, 999, tzinfo=ZoneInfo("UTC"))
    data = write_ctf(dataclasses.replace(FULL_FILE, header=dataclasses.replace(HEADER, generated_at=utc)))
    assert b"<DateTime>2026-07-01T10:15:30</DateTime>" in data  # British Summer Time, seconds only


def test_unknown_destination_is_written_and_valid() -> None:
    header = dataclasses.replace(HEADER, dest=CtfSchool(lea=UNKNOWN_LEA, estab=UNKNOWN_ESTAB))
    data = write_ctf(dataclasses.replace(FULL_FILE, header=header))
    assert b"<DestSchool>\n      <LEA>XXX</LEA>\n      <Estab>XXXX</Estab>\n    </DestSchool>" in data


def test_previous_version_can_be_written() -> None:
    data = write_ctf(dataclasses.replace(FULL_FILE, header=dataclasses.replace(HEADER, version="25.0")))
    assert b"<CTFversion>25.0</CTFversion>" in data


def test_a_version_the_schema_does_not_know_is_refused() -> None:
    with pytest.raises(CtfError, match="CTFversion"):
        write_ctf(dataclasses.replace(FULL_FILE, header=dataclasses.replace(HEADER, version="27.0")))


# --- File names and versions ------------------------------------------------------------------------------


def test_file_name_follows_the_convention() -> None:
    assert ctf_file_name("8012000", "8024001", 1) == "8012000_CTF_8024001_001.xml"
    assert ctf_file_name(HEADER.source.laestab, HEADER.dest.laestab, 42) == "8012000_CTF_8024001_042.xml"


def test_file_name_for_an_unknown_destination() -> None:
    assert ctf_file_name("8012000", None, 7) == "8012000_CTF_XXXXXXX_007.xml"
    assert ctf_file_name("8012000", "XXXXXXX", 7) == "8012000_CTF_XXXXXXX_007.xml"


def test_file_name_for_the_lost_pupils_database() -> None:
    assert ctf_file_name("8012000", "MMMMMMM", 999) == "8012000_CTF_MMMMMMM_999.xml"


@pytest.mark.parametrize(
    ("source", "dest", "sequence"),
    [
        ("801200", "8024001", 1),
        ("8012000", "802400", 1),
        ("8012000", "YYYYYYY", 1),
        ("8012000", None, 0),
        ("8012000", None, 1000),
        ("801200a", None, 1),
    ],
)
def test_file_name_refuses_bad_parts(source: str, dest: str | None, sequence: int) -> None:
    with pytest.raises(ValueError):
        ctf_file_name(source, dest, sequence)


@pytest.mark.parametrize(
    ("day", "version"),
    [
        (datetime.date(2026, 11, 30), "26.0"),
        (datetime.date(2026, 9, 1), "26.0"),
        (datetime.date(2026, 8, 31), "25.0"),
        (datetime.date(2025, 9, 1), "25.0"),
        (datetime.date(2027, 8, 31), "26.0"),
    ],
)
def test_version_follows_the_academic_year(day: datetime.date, version: str) -> None:
    assert ctf_version_for(day) == version
