"""The fixture behind golden/full.xml: two pupils, one with every part filled in, one with only what is required.

Identifiers are DOMAIN.md's hand-checked examples; the other codes (relationship, assessment subject and
method) are plausible examples, not checked against the Common Basic Data Set. To regenerate the golden file after an intended
change to the writer, run ``.venv/bin/python -m commonroom.interop.ctf.tests.fixtures`` and read the diff.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from commonroom.interop.ctf.model import (
    AttendanceYear,
    Contact,
    CtfFile,
    CtfHeader,
    CtfPupil,
    CtfSchool,
    Phone,
    SchoolHistoryEntry,
    SenEpisode,
    SenNeed,
    StageResult,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "full.xml"

HEADER = CtfHeader(
    source=CtfSchool(lea="801", estab="2000", urn="123456", name="Brook Lane Primary School", academic_year=2026),
    dest=CtfSchool(lea="802", estab="4001", urn="654321"),
    generated_at=datetime.datetime(2026, 11, 30, 10, 30, 0),
    version="26.0",
    qualifier="full",
    supplier_id="Commonroom",
    data_qualifier="Transfer",
    data_descriptor="Pupil leaving Brook Lane",
)

FULL_PUPIL = CtfPupil(
    upn="B801200005001",
    uln="9276308686",
    surname="Ó Briain-Smith",
    forename="Zoë",
    dob=datetime.date(2016, 3, 12),
    sex="F",
    former_upn="G80120000101A",
    preferred_surname="Smith",
    preferred_forename="Zo",
    middle_names="Anne Marie",
    nc_year_actual="5",
    sen_episodes=(
        SenEpisode(start_date=datetime.date(2022, 9, 5), provision="K"),
        SenEpisode(start_date=datetime.date(2025, 1, 13), provision="E"),
    ),
    sen_needs=(SenNeed(need_type="SLCN", rank=1), SenNeed(need_type="SEMH", rank=2)),
    address_lines=("Flat 2", "14 Mill Road", "Brookton"),
    postcode="BR1 4MR",
    phones=(Phone(number="01632 960001", phone_type="H"), Phone(number="07700 900123", phone_type="M")),
    email="zoe.family@example.org",
    contacts=(
        Contact(
            surname="Smith",
            forename="Ruth",
            title="Ms",
            order=1,
            sex="F",
            relationship="PAM",
            responsibility=True,
            phones=(Phone(number="07700 900456", phone_type="M"),),
            email="ruth.smith@example.org",
        ),
        Contact(surname="Ó Briain", forename="Cian", order=2, sex="M", relationship="PAF", responsibility=False),
    ),
    attendance=(
        AttendanceYear(year=2025, sessions_possible=380, sessions_authorised=12, sessions_unauthorised=3),
        AttendanceYear(
            year=2026,
            sessions_possible=110,
            sessions_authorised=2,
            sessions_unauthorised=0,
            marks_start_date=datetime.date(2026, 9, 3),
            marks="/\\/\\/\\IIM\\/\\",
        ),
    ),
    stage_results=(
        StageResult(
            stage="KS1",
            subject="PHO",
            locale="ENG",
            year=2023,
            method="TT",
            component="PSC",
            result_status="R",
            result_qualifier="NP",
            result="36",
        ),
        StageResult(
            stage="KS2",
            subject="MAT",
            locale="ENG",
            year=2026,
            method="TT",
            component="MTC",
            result_status="R",
            result_qualifier="MT",
            result="25",
        ),
        StageResult(stage="KS2", subject="ENG", locale="ENG", year=2026, method="TA", result="EXS"),
    ),
    school_history=(
        SchoolHistoryEntry(
            lea="801",
            estab="1999",
            school_name="Millbrook Infant School",
            entry_date=datetime.date(2019, 9, 4),
            leaving_date=datetime.date(2022, 7, 22),
            leaving_reason="TRANSFER",
        ),
        SchoolHistoryEntry(
            lea="801", estab="2000", school_name="Brook Lane Primary School", entry_date=datetime.date(2022, 9, 5)
        ),
    ),
)

MINIMAL_PUPIL = CtfPupil(upn="H801200001001", surname="Khan", forename="Adam", dob=datetime.date(2015, 11, 2), sex="M")

FULL_FILE = CtfFile(header=HEADER, pupils=(FULL_PUPIL, MINIMAL_PUPIL))


if __name__ == "__main__":
    from commonroom.interop.ctf.writer import write_ctf

    GOLDEN.write_bytes(write_ctf(FULL_FILE))
    print(f"wrote {GOLDEN}")
