"""What a Common Transfer File says, as plain immutable values: no database, no XML.

The reader builds these from a file and the writer turns them back into one; the lead's import and
export services map them to and from Commonroom's models. Repeated parts are tuples, so a whole
``CtfFile`` is immutable and two are equal when every value is.

Codes are kept as the file gives them (``"K"`` for SEN support, ``"SEMH"`` for a need, ``"KS2"`` for a
stage); the meanings are in the DfE's Common Basic Data Set.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

DOCUMENT_NAME = "Common Transfer File"
CURRENT_VERSION = "26.0"  # 2026/27
PREVIOUS_VERSION = "25.0"  # 2025/26
ACCEPTED_VERSIONS: tuple[str, ...] = (CURRENT_VERSION, PREVIOUS_VERSION)
DOCUMENT_QUALIFIERS = ("full", "partial")
SEXES = ("M", "F", "U")
# N no special educational need, K SEN support, E education, health and care plan. A (School Action),
# P (School Action Plus) and S (statement) were replaced in 2014 but still appear in SEN histories.
SEN_PROVISIONS = ("N", "K", "E", "A", "P", "S")
SEN_NEED_TYPES = ("SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "OTH", "NSA")
NC_YEARS = ("N1", "N2", "R", *(str(year) for year in range(1, 15)), "X")
# The destination of a CTF whose next school is not known, and of one sent to the lost pupils database.
UNKNOWN_LEA, UNKNOWN_ESTAB = "XXX", "XXXX"
LOST_PUPILS_LEA, LOST_PUPILS_ESTAB = "MMM", "MMMM"


def ctf_version_for(day: datetime.date) -> str:
    """The CTF version for the academic year containing ``day``: "26.0" from 1 September 2026 to 31 August 2027."""
    start_year = day.year if day.month >= 9 else day.year - 1
    return f"{start_year % 100}.0"


@dataclass(frozen=True)
class CtfSchool:
    """A school as the header names it. The source school has a name and academic year; the destination
    need not, and may be ``UNKNOWN_LEA``/``UNKNOWN_ESTAB`` when the next school is not known."""

    lea: str  # local authority number, 3 digits
    estab: str  # establishment number, 4 digits
    urn: str | None = None  # 6 digits
    name: str | None = None
    academic_year: int | None = None  # the year the academic year starts: 2026 for 2026/27

    @property
    def laestab(self) -> str:
        return self.lea + self.estab


@dataclass(frozen=True)
class CtfHeader:
    source: CtfSchool
    dest: CtfSchool
    generated_at: datetime.datetime  # local (UK) time without a time zone, to the second
    version: str = CURRENT_VERSION
    qualifier: str = "full"  # "full" or "partial"
    supplier_id: str | None = None  # the sending software
    data_qualifier: str | None = None
    data_descriptor: str | None = None


@dataclass(frozen=True)
class SenEpisode:
    """One period of SEN provision: from ``start_date``, provision ``provision`` (see ``SEN_PROVISIONS``)."""

    start_date: datetime.date
    provision: str


@dataclass(frozen=True)
class SenNeed:
    need_type: str  # see SEN_NEED_TYPES
    rank: int  # 1 is the primary need


@dataclass(frozen=True)
class Phone:
    number: str
    phone_type: str | None = None  # the file's TelephoneType code, e.g. "H" home, "M" mobile


@dataclass(frozen=True)
class Contact:
    surname: str
    forename: str | None = None
    title: str | None = None
    order: int | None = None  # 1 is contacted first
    sex: str | None = None
    relationship: str | None = None  # the CBDS relationship code, e.g. "PAM" mother
    responsibility: bool | None = None  # has parental responsibility
    phones: tuple[Phone, ...] = ()
    email: str | None = None


@dataclass(frozen=True)
class AttendanceYear:
    """A year's attendance at a school. ``marks`` is the register, one code per session from
    ``marks_start_date``; the two come together or not at all."""

    year: int  # the year the academic year starts
    sessions_possible: int
    sessions_authorised: int
    sessions_unauthorised: int
    marks_start_date: datetime.date | None = None
    marks: str | None = None


@dataclass(frozen=True)
class StageResult:
    """One assessment result: e.g. stage "KS2", subject "MAT", method "TT", component "MTC", result "25"."""

    stage: str
    subject: str
    locale: str | None = None
    year: int | None = None
    method: str | None = None
    component: str | None = None
    result_status: str | None = None
    result_qualifier: str | None = None
    result: str | None = None


@dataclass(frozen=True)
class SchoolHistoryEntry:
    lea: str | None = None
    estab: str | None = None
    school_name: str | None = None
    entry_date: datetime.date | None = None
    leaving_date: datetime.date | None = None
    leaving_reason: str | None = None


@dataclass(frozen=True)
class CtfPupil:
    upn: str
    surname: str
    forename: str
    dob: datetime.date
    sex: str  # M, F or U
    uln: str | None = None
    former_upn: str | None = None
    preferred_surname: str | None = None
    preferred_forename: str | None = None
    middle_names: str | None = None
    nc_year_actual: str | None = None  # see NC_YEARS
    sen_episodes: tuple[SenEpisode, ...] = ()
    sen_needs: tuple[SenNeed, ...] = ()
    address_lines: tuple[str, ...] = ()  # at most five
    postcode: str | None = None
    phones: tuple[Phone, ...] = ()
    email: str | None = None
    contacts: tuple[Contact, ...] = ()
    attendance: tuple[AttendanceYear, ...] = ()
    stage_results: tuple[StageResult, ...] = ()
    school_history: tuple[SchoolHistoryEntry, ...] = ()

    @property
    def label(self) -> str:
        """How messages name this pupil, as the reader does: "UPN B801200005001, Smith Jo"."""
        return f"UPN {self.upn}, {self.surname} {self.forename}"


@dataclass(frozen=True)
class CtfFile:
    header: CtfHeader
    pupils: tuple[CtfPupil, ...]
