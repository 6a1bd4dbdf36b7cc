"""Reading a Common Transfer File into a :class:`CtfFile`, or refusing it with every reason at once.

The reader takes what Commonroom uses and passes over everything else (free school meals, Welsh
details, SuppInfo, elements a newer version adds), so it is not validated against our XSD. What it
does take is checked: a file is accepted whole or refused whole with a :class:`CtfError` listing
every problem, each naming the pupil (position, UPN and name when known) and the element, e.g.
``Pupil 3 (UPN B801200005001, Smith Jo): <DOB> "12/03/2011" is not a date (YYYY-MM-DD)``.

Tolerated for older or other systems' files: ``Gender`` for ``Sex``; AttendanceStartDate and
AttendanceMarks directly in YearData as well as in AttendSessions; SENneeds inside SEN as well as
beside it, with NeedType/NeedTypeRank as well as SENtype/SENtypeRank; a BS7666Address, turned
into address lines.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from commonroom.interop.ctf.errors import CtfError
from commonroom.interop.ctf.model import (
    ACCEPTED_VERSIONS,
    DOCUMENT_NAME,
    DOCUMENT_QUALIFIERS,
    SEXES,
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
from commonroom.interop.ctf.xml import DEFAULT_MAX_BYTES, parse_bytes
from commonroom.people.identifiers import normalise_upn, uln_problem, upn_problem

# Explicit [0-9]: \d would also accept other scripts' digits, which int() and dates would then take.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
_WHOLE = re.compile(r"[0-9]+")
_YEAR = re.compile(r"[0-9]{4}")
_LEA = re.compile(r"[0-9]{3}")
_ESTAB = re.compile(r"[0-9]{4}")
_URN = re.compile(r"[0-9]{6}")

T = TypeVar("T")
Element = Any  # lxml.etree._Element; lxml has no type stubs here


def _text(element: Element | None) -> str | None:
    """The element's text without surrounding whitespace; None when absent or empty."""
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def _quote(value: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return '"' + shown + '"'


class _Problems:
    """Problems found so far, and the sentence prefix that says where (a pupil, or the header)."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.found.append(f"{where}: {message}")


class _Scope:
    """Reads values from one part of the file (the header, or one pupil), reporting problems under ``where``.

    Every reading method returns None (or a default) for a bad value after recording the problem, so
    reading carries on and all problems are found in one pass.
    """

    def __init__(self, problems: _Problems, where: str) -> None:
        self.problems = problems
        self.where = where

    def problem(self, path: str, message: str) -> None:
        self.problems.add(self.where, f"{path} {message}")

    def text(self, parent: Element, name: str, path: str, *, required: bool = False) -> str | None:
        value = _text(parent.find(name))
        if value is None and required:
            self.problem(f"{path}<{name}>", "is missing")
        return value

    def required_text(self, parent: Element, name: str, path: str) -> str:
        # Only reached through a problem being recorded when the value is missing, so "" never escapes.
        return self.text(parent, name, path, required=True) or ""

    def parsed(
        self,
        parent: Element,
        name: str,
        path: str,
        parse: Callable[[str], T | None],
        expected: str,
        *,
        required: bool = False,
    ) -> T | None:
        raw = self.text(parent, name, path, required=required)
        if raw is None:
            return None
        value = parse(raw)
        if value is None:
            self.problem(f"{path}<{name}>", f"{_quote(raw)} is not {expected}")
        return value

    def date(self, parent: Element, name: str, path: str, *, required: bool = False) -> datetime.date | None:
        return self.parsed(parent, name, path, _parse_date, "a date (YYYY-MM-DD)", required=required)

    def whole(self, parent: Element, name: str, path: str, *, required: bool = False) -> int | None:
        return self.parsed(parent, name, path, _parse_whole, "a whole number", required=required)

    def year(self, parent: Element, name: str, path: str, *, required: bool = False) -> int | None:
        return self.parsed(parent, name, path, _parse_year, "a year (YYYY)", required=required)


def _parse_date(raw: str) -> datetime.date | None:
    if not _DATE.fullmatch(raw):
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        return None


def _parse_date_time(raw: str) -> datetime.datetime | None:
    if not _DATE_TIME.fullmatch(raw):
        return None
    try:
        return datetime.datetime.fromisoformat(raw)
    except ValueError:
        return None


def _parse_whole(raw: str) -> int | None:
    return int(raw) if _WHOLE.fullmatch(raw) else None


def _parse_year(raw: str) -> int | None:
    return int(raw) if _YEAR.fullmatch(raw) else None


def _parse_boolean(raw: str) -> bool | None:
    return {"true": True, "1": True, "false": False, "0": False}.get(raw.lower())


def _indexed(parent: Element | None, name: str, path: str) -> Iterable[tuple[Element, str]]:
    """Each ``name`` child of ``parent`` with its path for messages: ``<Contacts>/<Contact>[2]/``."""
    if parent is None:
        return []
    return [(child, f"{path}<{name}>[{position}]/") for position, child in enumerate(parent.findall(name), 1)]


# --- Header -------------------------------------------------------------------------------------------------


def _read_school(scope: _Scope, header: Element, name: str, *, destination: bool) -> CtfSchool | None:
    school = header.find(name)
    path = f"<{name}>/"
    if school is None:
        scope.problem(f"<{name}>", "is missing")
        return None
    lea = scope.required_text(school, "LEA", path)
    estab = scope.required_text(school, "Estab", path)
    # A destination may be unknown (XXX/XXXX) or the lost pupils database (MMM/MMMM).
    if lea and not (_LEA.fullmatch(lea) or (destination and lea in ("XXX", "MMM"))):
        scope.problem(f"{path}<LEA>", f"{_quote(lea)} is not a 3-digit local authority number")
    if estab and not (_ESTAB.fullmatch(estab) or (destination and estab in ("XXXX", "MMMM"))):
        scope.problem(f"{path}<Estab>", f"{_quote(estab)} is not a 4-digit establishment number")
    urn = scope.text(school, "URN", path)
    if urn is not None and not _URN.fullmatch(urn):
        scope.problem(f"{path}<URN>", f"{_quote(urn)} is not a 6-digit URN")
    if destination:
        return CtfSchool(lea=lea, estab=estab, urn=urn)
    school_name = scope.text(school, "SchoolName", path, required=True)
    academic_year = scope.year(school, "AcademicYear", path, required=True)
    return CtfSchool(lea=lea, estab=estab, urn=urn, name=school_name, academic_year=academic_year)


def _read_header(root: Element, problems: _Problems, accepted_versions: tuple[str, ...]) -> CtfHeader | None:
    scope = _Scope(problems, "Header")
    header = root.find("Header")
    if header is None:
        problems.add("Header", "<Header> is missing, so this is not a complete Common Transfer File")
        return None
    name = scope.required_text(header, "DocumentName", "")
    if name and name != DOCUMENT_NAME:
        scope.problem("<DocumentName>", f'is {_quote(name)}, not "{DOCUMENT_NAME}": this is not a Common Transfer File')
    version = scope.required_text(header, "CTFversion", "")
    if version and version not in accepted_versions:
        readable = " or ".join(accepted_versions)
        scope.problem(
            "<CTFversion>",
            f"{_quote(version)} is not a version Commonroom reads ({readable}): ask the sending school for a "
            "file from an up-to-date system",
        )
    generated_at = scope.parsed(
        header, "DateTime", "", _parse_date_time, "a date and time (YYYY-MM-DDThh:mm:ss)", required=True
    )
    qualifier = scope.required_text(header, "DocumentQualifier", "")
    if qualifier and qualifier not in DOCUMENT_QUALIFIERS:
        scope.problem("<DocumentQualifier>", f"{_quote(qualifier)} is not full or partial")
    source = _read_school(scope, header, "SourceSchool", destination=False)
    dest = _read_school(scope, header, "DestSchool", destination=True)
    if generated_at is None or source is None or dest is None:
        return None
    return CtfHeader(
        source=source,
        dest=dest,
        generated_at=generated_at,
        version=version,
        qualifier=qualifier,
        supplier_id=_text(header.find("SupplierID")),
        data_qualifier=_text(header.find("DataQualifier")),
        data_descriptor=_text(header.find("DataDescriptor")),
    )


# --- Pupils -------------------------------------------------------------------------------------------------


def _pupil_where(position: int, pupil: Element) -> str:
    """ "Pupil 3 (UPN B801200005001, Smith Jo)", with whatever of UPN and name the file gives."""
    upn = _text(pupil.find("UPN"))
    name = " ".join(part for part in (_text(pupil.find("Surname")), _text(pupil.find("Forename"))) if part)
    known = ", ".join(part for part in (f"UPN {upn}" if upn else "", name) if part)
    return f"Pupil {position} ({known})" if known else f"Pupil {position}"


def _read_upn(scope: _Scope, parent: Element, name: str, path: str, *, required: bool) -> str | None:
    raw = scope.text(parent, name, path, required=required)
    if raw is None:
        return None
    problem = upn_problem(raw)
    if problem:
        scope.problem(f"{path}<{name}>", f"{_quote(raw)} is not a valid UPN: {problem}")
        return None
    return normalise_upn(raw)


def _read_sex(scope: _Scope, parent: Element, path: str, *, required: bool) -> str | None:
    # CTF 25 renamed Gender to Sex; older files (and older contacts) still say Gender.
    name = "Sex" if parent.find("Sex") is not None else "Gender"
    raw = _text(parent.find(name))
    if raw is None:
        if required:
            scope.problem(f"{path}<Sex>", "(or <Gender> in older files) is missing")
        return None
    sex = raw.upper()
    if sex not in SEXES:
        scope.problem(f"{path}<{name}>", f"{_quote(raw)} is not M, F or U")
        return None
    return sex


def _read_phones(scope: _Scope, parent: Element, path: str) -> tuple[Phone, ...]:
    phones = []
    for phone, phone_path in _indexed(parent.find("Phones"), "Phone", f"{path}<Phones>/"):
        number = scope.text(phone, "PhoneNo", phone_path, required=True)
        if number is not None:
            phones.append(Phone(number=number, phone_type=_text(phone.find("TelephoneType"))))
    return tuple(phones)


def _read_sen(scope: _Scope, pupil: Element) -> tuple[tuple[SenEpisode, ...], tuple[SenNeed, ...]]:
    history = pupil.find("SENhistory")
    if history is None:
        return (), ()
    episodes = []
    needs_parents: list[tuple[Element, str]] = []
    if history.find("SENneeds") is not None:
        needs_parents.append((history.find("SENneeds"), "<SENhistory>/<SENneeds>/"))
    for sen, path in _indexed(history, "SEN", "<SENhistory>/"):
        start = scope.date(sen, "StartDate", path, required=True)
        provision = scope.text(sen, "SENprovision", path, required=True)
        if start is not None and provision is not None:
            episodes.append(SenEpisode(start_date=start, provision=provision.upper()))
        if sen.find("SENneeds") is not None:  # where our domain notes put it
            needs_parents.append((sen.find("SENneeds"), f"{path}<SENneeds>/"))
    needs = []
    for needs_element, needs_path in needs_parents:
        for need, path in _indexed(needs_element, "SENneed", needs_path):
            type_name = "SENtype" if need.find("SENtype") is not None or need.find("NeedType") is None else "NeedType"
            need_type = scope.text(need, type_name, path, required=True)
            rank_name = "SENtypeRank" if need.find("NeedTypeRank") is None else "NeedTypeRank"
            rank = scope.whole(need, rank_name, path, required=True)
            if need_type is not None and rank is not None:
                needs.append(SenNeed(need_type=need_type.upper(), rank=rank))
    return tuple(episodes), tuple(needs)


def _read_address(pupil: Element) -> tuple[tuple[str, ...], str | None]:
    address = pupil.find("Address")
    if address is None:
        return (), None
    postcode = _text(address.find("PostCode"))
    lines_element = address.find("AddressLines")
    if lines_element is not None:
        lines = [_text(lines_element.find(f"AddressLine{number}")) for number in range(1, 6)]
        return tuple(line for line in lines if line), postcode
    bs7666 = address.find("BS7666Address")
    if bs7666 is None:
        return (), postcode
    # BS 7666 splits an address into parts; Commonroom keeps lines. The house name or number goes
    # with the street, as it would be written on an envelope.
    saon, paon, street, locality, town, area, post_town = (
        _text(bs7666.find(name))
        for name in ("SAON", "PAON", "Street", "Locality", "Town", "AdministrativeArea", "PostTown")
    )
    first = " ".join(part for part in (paon, street) if part) or None
    candidates = (saon, first, locality, town, post_town or area)
    return tuple(line for line in candidates if line)[:5], postcode


def _read_contacts(scope: _Scope, pupil: Element) -> tuple[Contact, ...]:
    contacts = []
    for contact, path in _indexed(pupil.find("Contacts"), "Contact", "<Contacts>/"):
        surname = scope.text(contact, "Surname", path, required=True)
        order = scope.whole(contact, "Order", path)
        responsibility = scope.parsed(contact, "Responsibility", path, _parse_boolean, "true or false")
        sex = _read_sex(scope, contact, path, required=False)
        phones = _read_phones(scope, contact, path)
        if surname is None:
            continue
        contacts.append(
            Contact(
                surname=surname,
                forename=_text(contact.find("Forename")),
                title=_text(contact.find("Title")),
                order=order,
                sex=sex,
                relationship=_text(contact.find("Relationship")),
                responsibility=responsibility,
                phones=phones,
                email=_text(contact.find("Email")),
            )
        )
    return tuple(contacts)


def _read_attendance(scope: _Scope, pupil: Element) -> tuple[AttendanceYear, ...]:
    years = []
    for year_data, path in _indexed(pupil.find("Attendance"), "YearData", "<Attendance>/"):
        year = scope.year(year_data, "Year", path, required=True)
        possible = scope.whole(year_data, "SessionsPossible", path, required=True)
        authorised = scope.whole(year_data, "SessionsAuthorised", path, required=True)
        unauthorised = scope.whole(year_data, "SessionsUnauthorised", path, required=True)
        sessions = year_data.find("AttendSessions")
        marks_parent, marks_path = (year_data, path) if sessions is None else (sessions, f"{path}<AttendSessions>/")
        start = scope.date(marks_parent, "AttendanceStartDate", marks_path)
        marks = _text(marks_parent.find("AttendanceMarks"))
        if (marks is None) != (marks_parent.find("AttendanceStartDate") is None):
            scope.problem(f"{marks_path}<AttendanceMarks>", "and <AttendanceStartDate> must come together")
        if year is None or possible is None or authorised is None or unauthorised is None:
            continue
        years.append(
            AttendanceYear(
                year=year,
                sessions_possible=possible,
                sessions_authorised=authorised,
                sessions_unauthorised=unauthorised,
                marks_start_date=start if marks is not None else None,
                marks=marks if start is not None else None,
            )
        )
    return tuple(years)


def _read_stage_results(scope: _Scope, pupil: Element) -> tuple[StageResult, ...]:
    results = []
    for key_stage, stage_path in _indexed(pupil.find("StageAssessments"), "KeyStage", "<StageAssessments>/"):
        stage = scope.text(key_stage, "Stage", stage_path, required=True)
        for assessment, path in _indexed(key_stage, "StageAssessment", stage_path):
            subject = scope.text(assessment, "Subject", path, required=True)
            year = scope.year(assessment, "Year", path)
            if stage is None or subject is None:
                continue
            results.append(
                StageResult(
                    stage=stage,
                    subject=subject,
                    locale=_text(assessment.find("Locale")),
                    year=year,
                    method=_text(assessment.find("Method")),
                    component=_text(assessment.find("Component")),
                    result_status=_text(assessment.find("ResultStatus")),
                    result_qualifier=_text(assessment.find("ResultQualifier")),
                    result=_text(assessment.find("Result")),
                )
            )
    return tuple(results)


def _read_school_history(scope: _Scope, pupil: Element) -> tuple[SchoolHistoryEntry, ...]:
    entries = []
    for school, path in _indexed(pupil.find("SchoolHistory"), "School", "<SchoolHistory>/"):
        entries.append(
            SchoolHistoryEntry(
                lea=_text(school.find("LEA")),
                estab=_text(school.find("Estab")),
                school_name=_text(school.find("SchoolName")),
                entry_date=scope.date(school, "EntryDate", path),
                leaving_date=scope.date(school, "LeavingDate", path),
                leaving_reason=_text(school.find("LeavingReason")),
            )
        )
    return tuple(entries)


def _read_pupil(problems: _Problems, position: int, pupil: Element) -> CtfPupil | None:
    scope = _Scope(problems, _pupil_where(position, pupil))
    before = len(problems.found)
    upn = _read_upn(scope, pupil, "UPN", "", required=True)
    uln_raw = scope.text(pupil, "UniqueLearnerNumber", "")
    if uln_raw is not None and (problem := uln_problem(uln_raw)):
        scope.problem("<UniqueLearnerNumber>", f"{_quote(uln_raw)} is not a valid ULN: {problem}")
    surname = scope.text(pupil, "Surname", "", required=True)
    forename = scope.text(pupil, "Forename", "", required=True)
    dob = scope.date(pupil, "DOB", "", required=True)
    sex = _read_sex(scope, pupil, "", required=True)

    details = pupil.find("BasicDetails")
    former_upn = None
    if details is not None:
        former_upn = _read_upn(scope, details, "FormerUPN", "<BasicDetails>/", required=False)

    def detail(name: str) -> str | None:
        return None if details is None else _text(details.find(name))

    sen_episodes, sen_needs = _read_sen(scope, pupil)
    address_lines, postcode = _read_address(pupil)
    phones = _read_phones(scope, pupil, "")
    contacts = _read_contacts(scope, pupil)
    attendance = _read_attendance(scope, pupil)
    stage_results = _read_stage_results(scope, pupil)
    school_history = _read_school_history(scope, pupil)

    if len(problems.found) > before or not (upn and surname and forename and dob and sex):
        return None
    return CtfPupil(
        upn=upn,
        surname=surname,
        forename=forename,
        dob=dob,
        sex=sex,
        uln=uln_raw,
        former_upn=former_upn,
        preferred_surname=detail("PreferredSurname"),
        preferred_forename=detail("PreferredForename"),
        middle_names=detail("MiddleNames"),
        nc_year_actual=detail("NCyearActual"),
        sen_episodes=sen_episodes,
        sen_needs=sen_needs,
        address_lines=address_lines,
        postcode=postcode,
        phones=phones,
        email=_text(pupil.find("Email")),
        contacts=contacts,
        attendance=attendance,
        stage_results=stage_results,
        school_history=school_history,
    )


def read_ctf(
    data: bytes, *, accepted_versions: tuple[str, ...] = ACCEPTED_VERSIONS, max_bytes: int = DEFAULT_MAX_BYTES
) -> CtfFile:
    """The Common Transfer File in ``data``, complete, or a :class:`CtfError` listing every problem.

    Needs Django's settings (the UPN and ULN messages are translatable); no database.
    """
    root = parse_bytes(data, max_bytes=max_bytes)
    if root.tag != "CTfile":
        raise CtfError(
            f"The file's top element is <{root.tag}>, not <CTfile>: this is not a Common Transfer File. "
            "Check the right file was chosen."
        )
    problems = _Problems()
    header = _read_header(root, problems, accepted_versions)

    pupil_data = root.find("CTFpupilData")
    pupil_elements = [] if pupil_data is None else pupil_data.findall("Pupil")
    if not pupil_elements:
        problems.add("Pupils", "the file has no <CTFpupilData>/<Pupil>, so there is nobody to import")
    pupils = [_read_pupil(problems, position, pupil) for position, pupil in enumerate(pupil_elements, 1)]

    seen: dict[str, int] = {}
    for position, pupil in enumerate(pupils, 1):
        if pupil is None:
            continue
        if pupil.upn in seen:
            problems.add(
                f"Pupil {position} ({pupil.label})",
                f"<UPN> is also pupil {seen[pupil.upn]}'s: a UPN belongs to one pupil",
            )
        else:
            seen[pupil.upn] = position

    if problems.found or header is None:
        raise CtfError(problems.found)
    return CtfFile(header=header, pupils=tuple(pupil for pupil in pupils if pupil is not None))
