"""Any pupil built from valid values survives write_ctf then read_ctf unchanged (and every export validates)."""

from __future__ import annotations

import dataclasses
import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonroom.interop.ctf import (
    AttendanceYear,
    Contact,
    CtfPupil,
    Phone,
    SchoolHistoryEntry,
    SenEpisode,
    SenNeed,
    StageResult,
    read_ctf,
    write_ctf,
)
from commonroom.interop.ctf.model import NC_YEARS, SEN_NEED_TYPES, SEN_PROVISIONS, SEXES
from commonroom.interop.ctf.tests.fixtures import FULL_FILE
from commonroom.people.identifiers import CHECK_LETTERS, make_uln, make_upn, upn_check_letter

# Letters, digits, punctuation and spaces from any script: what names and free text hold. No control
# characters (XML cannot carry them) and no surrounding spaces (the reader trims them).
_TEXT_CHARS = st.characters(categories=("L", "M", "N", "P", "Zs"))


def text(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(_TEXT_CHARS, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:  # type: ignore[type-arg]
    return st.none() | strategy


def tuples_of(strategy: st.SearchStrategy, max_size: int = 3) -> st.SearchStrategy:  # type: ignore[type-arg]
    return st.lists(strategy, max_size=max_size).map(tuple)


permanent_upns = st.builds(
    make_upn,
    st.integers(100, 999).map(str),
    st.integers(1000, 9999).map(str),
    st.integers(0, 99),
    st.integers(0, 999),
)


@st.composite
def temporary_upns(draw: st.DrawFn) -> str:
    body = draw(st.from_regex(r"[0-9]{11}", fullmatch=True)) + draw(st.sampled_from(CHECK_LETTERS))
    return upn_check_letter(body) + body


ulns = st.integers(100_000_000, 999_999_999).map(make_uln).filter(bool)
dates = st.dates(datetime.date(1990, 1, 1), datetime.date(2035, 12, 31))
years = st.integers(1990, 2099)
codes = st.from_regex(r"[A-Z]{1,6}", fullmatch=True)
phones = st.builds(Phone, st.from_regex(r"0[0-9]{4} [0-9]{6}", fullmatch=True), optional(codes))
emails = st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,12})?@[a-z]{1,12}\.(org|uk|com)", fullmatch=True)

contacts = st.builds(
    Contact,
    surname=text(),
    forename=optional(text()),
    title=optional(text(10)),
    order=optional(st.integers(1, 20)),
    sex=optional(st.sampled_from(SEXES)),
    relationship=optional(codes),
    responsibility=optional(st.booleans()),
    phones=tuples_of(phones),
    email=optional(emails),
)


@st.composite
def attendance_years(draw: st.DrawFn) -> AttendanceYear:
    marks = draw(optional(st.tuples(dates, st.text("/\\LBCDEGIJKMNOPQRSTUVWXYZ#", min_size=1, max_size=60))))
    return AttendanceYear(
        year=draw(years),
        sessions_possible=draw(st.integers(0, 400)),
        sessions_authorised=draw(st.integers(0, 400)),
        sessions_unauthorised=draw(st.integers(0, 400)),
        marks_start_date=marks[0] if marks else None,
        marks=marks[1] if marks else None,
    )


stage_results = st.builds(
    StageResult,
    stage=st.sampled_from(("EYFSP", "KS1", "KS2", "PHONICS", "MTC")),
    subject=codes,
    locale=optional(st.sampled_from(("ENG", "WLS"))),
    year=optional(years),
    method=optional(codes),
    component=optional(codes),
    result_status=optional(codes),
    result_qualifier=optional(codes),
    result=optional(text(10)),
)

school_history = st.builds(
    SchoolHistoryEntry,
    lea=optional(st.from_regex(r"[0-9]{3}", fullmatch=True)),
    estab=optional(st.from_regex(r"[0-9]{4}", fullmatch=True)),
    school_name=optional(text()),
    entry_date=optional(dates),
    leaving_date=optional(dates),
    leaving_reason=optional(codes),
)

pupils = st.builds(
    CtfPupil,
    upn=permanent_upns | temporary_upns(),
    surname=text(),
    forename=text(),
    dob=dates,
    sex=st.sampled_from(SEXES),
    uln=optional(ulns),
    former_upn=optional(temporary_upns()),
    preferred_surname=optional(text()),
    preferred_forename=optional(text()),
    middle_names=optional(text()),
    nc_year_actual=optional(st.sampled_from(NC_YEARS)),
    sen_episodes=tuples_of(st.builds(SenEpisode, dates, st.sampled_from(SEN_PROVISIONS))),
    sen_needs=tuples_of(st.builds(SenNeed, st.sampled_from(SEN_NEED_TYPES), st.integers(1, 99))),
    address_lines=tuples_of(text(), max_size=5),
    postcode=optional(st.from_regex(r"[A-Z]{1,2}[0-9]{1,2} [0-9][A-Z]{2}", fullmatch=True)),
    phones=tuples_of(phones),
    email=optional(emails),
    contacts=tuples_of(contacts),
    attendance=tuples_of(attendance_years()),
    stage_results=tuples_of(stage_results, max_size=5),
    school_history=tuples_of(school_history),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pupil=pupils)
def test_any_valid_pupil_round_trips(pupil: CtfPupil) -> None:
    ctf = dataclasses.replace(FULL_FILE, pupils=(pupil,))
    assert read_ctf(write_ctf(ctf)) == ctf  # write_ctf also validates against the XSD
