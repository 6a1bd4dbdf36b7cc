"""Writing a :class:`CtfFile` as a Common Transfer File, checking it against our XSD, and naming it.

The writer puts elements in the order ``schema/ctf.xsd`` defines and leaves out what is None or
empty. By default every file is validated against the XSD before it is returned, so Commonroom never
sends a file it would itself call malformed. The XSD cannot check a UPN's or ULN's check character:
the export service should only export identifiers that passed ``commonroom.people.identifiers``.
"""

from __future__ import annotations

import datetime
import functools
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree

from commonroom.interop.ctf.errors import CtfError
from commonroom.interop.ctf.model import (
    DOCUMENT_NAME,
    LOST_PUPILS_ESTAB,
    LOST_PUPILS_LEA,
    UNKNOWN_ESTAB,
    UNKNOWN_LEA,
    Contact,
    CtfFile,
    CtfHeader,
    CtfPupil,
    CtfSchool,
    Phone,
    StageResult,
)
from commonroom.interop.ctf.xml import hardened_parser, parse_bytes

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "ctf.xsd"
_UK = ZoneInfo("Europe/London")
_LAESTAB = re.compile(r"[0-9]{7}")
_UNKNOWN_DESTINATION = UNKNOWN_LEA + UNKNOWN_ESTAB
_LOST_PUPILS = LOST_PUPILS_LEA + LOST_PUPILS_ESTAB

Element = Any  # lxml.etree._Element


class _Unwritable(Exception):
    """A value XML cannot carry (a control character, say), raised with the element's name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _add(parent: Element, name: str, value: str | int | bool | datetime.date | None) -> None:
    """Append ``<name>value</name>``, or nothing when the value is None or an empty string."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value)
    child = etree.SubElement(parent, name)
    try:
        child.text = text
    except ValueError:
        raise _Unwritable(name) from None


def _date_time(value: datetime.datetime) -> str:
    # The file carries local time without a zone: an aware time is turned into UK local time first.
    if value.tzinfo is not None:
        value = value.astimezone(_UK).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _school(parent: Element, name: str, school: CtfSchool) -> None:
    element = etree.SubElement(parent, name)
    _add(element, "LEA", school.lea)
    _add(element, "Estab", school.estab)
    _add(element, "URN", school.urn)
    _add(element, "SchoolName", school.name)
    _add(element, "AcademicYear", school.academic_year)


def _header(root: Element, header: CtfHeader) -> None:
    element = etree.SubElement(root, "Header")
    _add(element, "DocumentName", DOCUMENT_NAME)
    _add(element, "CTFversion", header.version)
    _add(element, "DateTime", _date_time(header.generated_at))
    _add(element, "DocumentQualifier", header.qualifier)
    _add(element, "DataQualifier", header.data_qualifier)
    _add(element, "DataDescriptor", header.data_descriptor)
    _add(element, "SupplierID", header.supplier_id)
    _school(element, "SourceSchool", header.source)
    _school(element, "DestSchool", header.dest)


def _phones(parent: Element, phones: tuple[Phone, ...]) -> None:
    if not phones:
        return
    element = etree.SubElement(parent, "Phones")
    for phone in phones:
        phone_element = etree.SubElement(element, "Phone")
        _add(phone_element, "TelephoneType", phone.phone_type)
        _add(phone_element, "PhoneNo", phone.number)


def _contact(parent: Element, contact: Contact) -> None:
    element = etree.SubElement(parent, "Contact")
    _add(element, "Order", contact.order)
    _add(element, "Title", contact.title)
    _add(element, "Surname", contact.surname)
    _add(element, "Forename", contact.forename)
    _add(element, "Sex", contact.sex)
    _add(element, "Relationship", contact.relationship)
    _add(element, "Responsibility", contact.responsibility)
    _phones(element, contact.phones)
    _add(element, "Email", contact.email)


def _key_stages(results: tuple[StageResult, ...]) -> list[list[StageResult]]:
    """Consecutive results with the same stage, one KeyStage each. Grouping only neighbours keeps the
    results' order exactly, so a file read back gives the same tuple; callers that sort by stage get
    one KeyStage per stage."""
    groups: list[list[StageResult]] = []
    for result in results:
        if groups and groups[-1][0].stage == result.stage:
            groups[-1].append(result)
        else:
            groups.append([result])
    return groups


def _pupil(parent: Element, pupil: CtfPupil) -> None:
    element = etree.SubElement(parent, "Pupil")
    _add(element, "UPN", pupil.upn)
    _add(element, "UniqueLearnerNumber", pupil.uln)
    _add(element, "Surname", pupil.surname)
    _add(element, "Forename", pupil.forename)
    _add(element, "DOB", pupil.dob)
    _add(element, "Sex", pupil.sex)

    details = (
        pupil.former_upn,
        pupil.preferred_surname,
        pupil.preferred_forename,
        pupil.middle_names,
        pupil.nc_year_actual,
    )
    if any(details):
        basic = etree.SubElement(element, "BasicDetails")
        for name, value in zip(
            ("FormerUPN", "PreferredSurname", "PreferredForename", "MiddleNames", "NCyearActual"), details, strict=True
        ):
            _add(basic, name, value)

    if pupil.sen_episodes or pupil.sen_needs:
        history = etree.SubElement(element, "SENhistory")
        for episode in pupil.sen_episodes:
            sen = etree.SubElement(history, "SEN")
            _add(sen, "StartDate", episode.start_date)
            _add(sen, "SENprovision", episode.provision)
        if pupil.sen_needs:
            needs = etree.SubElement(history, "SENneeds")
            for need in pupil.sen_needs:
                need_element = etree.SubElement(needs, "SENneed")
                _add(need_element, "SENtype", need.need_type)
                _add(need_element, "SENtypeRank", need.rank)

    if pupil.address_lines or pupil.postcode:
        address = etree.SubElement(element, "Address")
        if pupil.address_lines:
            lines = etree.SubElement(address, "AddressLines")
            for number, line in enumerate(pupil.address_lines, 1):
                _add(lines, f"AddressLine{number}", line)
        _add(address, "PostCode", pupil.postcode)

    _phones(element, pupil.phones)
    _add(element, "Email", pupil.email)

    if pupil.contacts:
        contacts = etree.SubElement(element, "Contacts")
        for contact in pupil.contacts:
            _contact(contacts, contact)

    if pupil.attendance:
        attendance = etree.SubElement(element, "Attendance")
        for year in pupil.attendance:
            year_data = etree.SubElement(attendance, "YearData")
            _add(year_data, "Year", year.year)
            _add(year_data, "SessionsPossible", year.sessions_possible)
            _add(year_data, "SessionsAuthorised", year.sessions_authorised)
            _add(year_data, "SessionsUnauthorised", year.sessions_unauthorised)
            if year.marks_start_date is not None or year.marks is not None:
                sessions = etree.SubElement(year_data, "AttendSessions")
                _add(sessions, "AttendanceStartDate", year.marks_start_date)
                _add(sessions, "AttendanceMarks", year.marks)

    if pupil.stage_results:
        assessments = etree.SubElement(element, "StageAssessments")
        for group in _key_stages(pupil.stage_results):
            key_stage = etree.SubElement(assessments, "KeyStage")
            _add(key_stage, "Stage", group[0].stage)
            for result in group:
                assessment = etree.SubElement(key_stage, "StageAssessment")
                _add(assessment, "Locale", result.locale)
                _add(assessment, "Year", result.year)
                _add(assessment, "Subject", result.subject)
                _add(assessment, "Method", result.method)
                _add(assessment, "Component", result.component)
                _add(assessment, "ResultStatus", result.result_status)
                _add(assessment, "ResultQualifier", result.result_qualifier)
                _add(assessment, "Result", result.result)

    if pupil.school_history:
        history_element = etree.SubElement(element, "SchoolHistory")
        for entry in pupil.school_history:
            school = etree.SubElement(history_element, "School")
            _add(school, "LEA", entry.lea)
            _add(school, "Estab", entry.estab)
            _add(school, "SchoolName", entry.school_name)
            _add(school, "EntryDate", entry.entry_date)
            _add(school, "LeavingDate", entry.leaving_date)
            _add(school, "LeavingReason", entry.leaving_reason)


def write_ctf(ctf: CtfFile, *, validate: bool = True) -> bytes:
    """The file as UTF-8 XML with a declaration, pretty-printed, elements in the XSD's order.

    Raises :class:`CtfError` when a value cannot be written (a control character in a name, say) or,
    with ``validate`` (the default), when the result does not match ``schema/ctf.xsd``.
    """
    problems = []
    root = etree.Element("CTfile")
    try:
        _header(root, ctf.header)
    except _Unwritable as error:
        problems.append(f"Header: <{error.name}> contains a character that XML cannot carry")
    pupil_data = etree.SubElement(root, "CTFpupilData")
    for position, pupil in enumerate(ctf.pupils, 1):
        try:
            _pupil(pupil_data, pupil)
        except _Unwritable as error:
            problems.append(
                f"Pupil {position} ({pupil.label}): <{error.name}> contains a character that XML cannot carry"
            )
    if problems:
        raise CtfError(problems)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if validate:
        validate_export(data)
    return data


@functools.cache
def _schema() -> Any:
    """The XSD, loaded once per process. Parsed with the hardened parser: it is our file, but the same
    rules cost nothing, and the schema has no imports or includes that would need the network."""
    document = etree.parse(str(SCHEMA_PATH), parser=hardened_parser())
    return etree.XMLSchema(document)


def validate_export(data: bytes) -> None:
    """Check an exported file against ``schema/ctf.xsd``; a :class:`CtfError` lists each mismatch with its line."""
    root = parse_bytes(data)
    schema = _schema()
    if schema.validate(root):
        return
    raise CtfError(
        [
            f"The exported file does not match the CTF schema at line {error.line}: {error.message}"
            for error in schema.error_log
        ]
    )


def ctf_file_name(source_laestab: str, dest_laestab: str | None, sequence: int) -> str:
    """The file name the CTF convention asks for: ``LLLEEEE_CTF_llleeee_NNN.xml``.

    ``source_laestab`` and ``dest_laestab`` are the 7-digit LA and establishment numbers of the sending
    and receiving schools; a destination of None (not known) becomes ``XXXXXXX``, and ``MMMMMMM`` (the
    lost pupils database) is accepted as given. ``sequence`` counts files sent to the same destination,
    1 to 999.
    """
    if not _LAESTAB.fullmatch(source_laestab):
        raise ValueError(f"the source LAESTAB must be 7 digits, not {source_laestab!r}")
    dest = _UNKNOWN_DESTINATION if dest_laestab is None else dest_laestab
    if not (_LAESTAB.fullmatch(dest) or dest in (_UNKNOWN_DESTINATION, _LOST_PUPILS)):
        raise ValueError(f"the destination LAESTAB must be 7 digits, XXXXXXX or MMMMMMM, not {dest_laestab!r}")
    if not 1 <= sequence <= 999:
        raise ValueError(f"the sequence number runs from 1 to 999, not {sequence}")
    return f"{source_laestab}_CTF_{dest}_{sequence:03d}.xml"
