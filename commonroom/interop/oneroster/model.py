"""The OneRoster 1.2 rostering records, and how each maps to its CSV file: the one place for the mapping.

Source: 1EdTech OneRoster CSV Binding 1.2.1 (Final Release, January 2023; the column tables were
checked against the published text, section 3). Each ``FileSpec`` below lists a file's columns in the
binding's order with the binding's header names, whether a value is required ("Yes" in the binding),
the data type and, for references, which file the sourcedIds must be found in.

Where the brief this module was written to and the binding differ, the binding wins:

* users.csv has ``preferredGivenName``, ``preferredMiddleName`` and ``preferredFamilyName`` (there is no
  ``preferredFirstName``), and no ``userProfiles`` column: profiles travel in their own file,
  userProfiles.csv, which this library does not read or write (``Role.user_profile_sourced_id`` is kept
  but not checked against anything).
* users.csv has no ``orgSourcedIds`` or ``role`` columns in 1.2: a user's orgs and roles are rows of
  roles.csv. ``resourceSourcedIds`` was in 1.2 and removed again in 1.2.1, so it is not here.
* The binding calls the academic session's type column ``type`` (the data model's ``sessionType``).
* The binding types users.csv ``grades`` as "String" where courses.csv and classes.csv say "List of
  Strings"; all three are read and written as comma-separated lists here, as in OneRoster 1.1.
* Enrollment roles are ``administrator | proctor | student | teacher``; roles.csv roles are the longer
  1.2 list (``aide``, ``counselor``, ``districtAdministrator``, ``guardian``, ``parent``, ``principal``,
  ``proctor``, ``relative``, ``siteAdministrator``, ``student``, ``systemAdministrator``, ``teacher``).

Vocabularies the binding says "may be extended" (classType, both roles, sex, the org and session
types) also accept proprietary terms, which must start with ``ext:``. The others are closed.

``status`` and ``dateLastModified`` are blank in bulk files and required in delta files; the records
carry them as ``status`` / ``date_last_modified`` (``None`` in bulk). Extension columns, whose headers
start ``metadata.``, are kept per record in ``metadata`` keyed by the header without that prefix.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field
from typing import Literal, TypeVar

Mode = Literal["bulk", "delta"]
FileKind = Literal["academicSessions", "classes", "courses", "demographics", "enrollments", "orgs", "roles", "users"]

METADATA_PREFIX = "metadata."
EXTENSION_PREFIX = "ext:"

_R = TypeVar("_R", bound="Record")

STATUSES = ("active", "tobedeleted")
ORG_TYPES = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPES = ("homeroom", "scheduled")
ROLE_TYPES = ("primary", "secondary")
ROLES = (
    "aide",
    "counselor",
    "districtAdministrator",
    "guardian",
    "parent",
    "principal",
    "proctor",
    "relative",
    "siteAdministrator",
    "student",
    "systemAdministrator",
    "teacher",
)
ENROLLMENT_ROLES = ("administrator", "proctor", "student", "teacher")
SEXES = ("male", "female", "unspecified", "other")

# Every data file the 1.2 manifest names, in the binding's order (Table 3.1). Only the rostering files
# in FILES below are read and written; the others are recognised in a zip but not read.
ALL_DATA_FILES = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
)


@dataclass(frozen=True, slots=True)
class UserId:
    """One of a user's external identifiers, written ``{type:identifier}`` in users.csv ``userIds``."""

    type: str
    identifier: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """What every row has: its sourcedId, the delta-mode status and date, and extension columns."""

    sourced_id: str
    status: str | None = None
    date_last_modified: datetime.datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Org(Record):
    name: str
    type: str
    identifier: str | None = None
    parent_sourced_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AcademicSession(Record):
    title: str
    type: str
    start_date: datetime.date
    end_date: datetime.date
    school_year: int
    parent_sourced_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Course(Record):
    title: str
    org_sourced_id: str
    school_year_sourced_id: str | None = None
    course_code: str | None = None
    grades: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    subject_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Class(Record):
    title: str
    course_sourced_id: str
    class_type: str
    school_sourced_id: str
    term_sourced_ids: tuple[str, ...]
    grades: tuple[str, ...] = ()
    class_code: str | None = None
    location: str | None = None
    subjects: tuple[str, ...] = ()
    subject_codes: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class User(Record):
    enabled_user: bool
    username: str
    given_name: str
    family_name: str
    user_ids: tuple[UserId, ...] = ()
    middle_name: str | None = None
    identifier: str | None = None
    email: str | None = None
    sms: str | None = None
    phone: str | None = None
    agent_sourced_ids: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    password: str | None = None
    user_master_identifier: str | None = None
    preferred_given_name: str | None = None
    preferred_middle_name: str | None = None
    preferred_family_name: str | None = None
    primary_org_sourced_id: str | None = None
    pronouns: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Role(Record):
    user_sourced_id: str
    role_type: str
    role: str
    org_sourced_id: str
    begin_date: datetime.date | None = None
    end_date: datetime.date | None = None
    user_profile_sourced_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Enrollment(Record):
    class_sourced_id: str
    school_sourced_id: str
    user_sourced_id: str
    role: str
    primary: bool | None = None
    begin_date: datetime.date | None = None
    end_date: datetime.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Demographics(Record):
    """A user's demographics; ``sourced_id`` is the user's own sourcedId."""

    birth_date: datetime.date | None = None
    sex: str | None = None
    american_indian_or_alaska_native: bool | None = None
    asian: bool | None = None
    black_or_african_american: bool | None = None
    native_hawaiian_or_other_pacific_islander: bool | None = None
    white: bool | None = None
    demographic_race_two_or_more_races: bool | None = None
    hispanic_or_latino_ethnicity: bool | None = None
    country_of_birth_code: str | None = None
    state_of_birth_abbreviation: str | None = None
    city_of_birth: str | None = None
    public_school_residence_status: str | None = None


@dataclass(kw_only=True)
class Roster:
    """A whole rostering package. An empty list is a file the package does not have ("absent")."""

    orgs: list[Org] = field(default_factory=list)
    academic_sessions: list[AcademicSession] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    classes: list[Class] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)
    demographics: list[Demographics] = field(default_factory=list)

    def sorted(self) -> Roster:
        """The same records, each list in sourcedId order (the order the writer uses)."""

        def by_id(records: list[_R]) -> list[_R]:
            return sorted(records, key=lambda record: record.sourced_id)

        return Roster(
            orgs=by_id(self.orgs),
            academic_sessions=by_id(self.academic_sessions),
            courses=by_id(self.courses),
            classes=by_id(self.classes),
            users=by_id(self.users),
            roles=by_id(self.roles),
            enrollments=by_id(self.enrollments),
            demographics=by_id(self.demographics),
        )


class Kind(enum.Enum):
    """The binding's data types, as far as reading and writing differ between them."""

    GUID = "GUID"  # sourcedIds and references to them
    GUID_LIST = "List of GUID References"
    TEXT = "String"
    TEXT_LIST = "List of Strings"
    USER_IDS = "List of {type:id}"
    ENUM = "Enumeration"
    BOOLEAN = "Boolean"
    DATE = "Date"
    DATETIME = "DateTime"
    YEAR = "Year"


@dataclass(frozen=True, slots=True)
class Column:
    """One CSV column: its header, the record attribute it fills, and what its values must be."""

    header: str
    attr: str
    kind: Kind
    required: bool = False
    vocabulary: tuple[str, ...] = ()
    extensible: bool = False  # the vocabulary also takes "ext:" terms
    refers_to: FileKind | None = None  # the file whose sourcedIds a reference must name
    refers_to_type: str | None = None  # ...and the "type" the named record must have


@dataclass(frozen=True, slots=True)
class FileSpec:
    kind: FileKind
    record: type[Record]
    roster_attr: str
    columns: tuple[Column, ...]

    @property
    def name(self) -> str:
        return f"{self.kind}.csv"

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)


def _common(*columns: Column) -> tuple[Column, ...]:
    """sourcedId, status and dateLastModified, which start every file, then ``columns``."""
    return (
        Column("sourcedId", "sourced_id", Kind.GUID, required=True),
        Column("status", "status", Kind.ENUM, vocabulary=STATUSES),
        Column("dateLastModified", "date_last_modified", Kind.DATETIME),
        *columns,
    )


_ORGS = FileSpec(
    "orgs",
    Org,
    "orgs",
    _common(
        Column("name", "name", Kind.TEXT, required=True),
        Column("type", "type", Kind.ENUM, required=True, vocabulary=ORG_TYPES, extensible=True),
        Column("identifier", "identifier", Kind.TEXT),
        Column("parentSourcedId", "parent_sourced_id", Kind.GUID, refers_to="orgs"),
    ),
)
_ACADEMIC_SESSIONS = FileSpec(
    "academicSessions",
    AcademicSession,
    "academic_sessions",
    _common(
        Column("title", "title", Kind.TEXT, required=True),
        Column("type", "type", Kind.ENUM, required=True, vocabulary=SESSION_TYPES, extensible=True),
        Column("startDate", "start_date", Kind.DATE, required=True),
        Column("endDate", "end_date", Kind.DATE, required=True),
        Column("parentSourcedId", "parent_sourced_id", Kind.GUID, refers_to="academicSessions"),
        Column("schoolYear", "school_year", Kind.YEAR, required=True),
    ),
)
_COURSES = FileSpec(
    "courses",
    Course,
    "courses",
    _common(
        Column(
            "schoolYearSourcedId",
            "school_year_sourced_id",
            Kind.GUID,
            refers_to="academicSessions",
            refers_to_type="schoolYear",
        ),
        Column("title", "title", Kind.TEXT, required=True),
        Column("courseCode", "course_code", Kind.TEXT),
        Column("grades", "grades", Kind.TEXT_LIST),
        Column("orgSourcedId", "org_sourced_id", Kind.GUID, required=True, refers_to="orgs"),
        Column("subjects", "subjects", Kind.TEXT_LIST),
        Column("subjectCodes", "subject_codes", Kind.TEXT_LIST),
    ),
)
_CLASSES = FileSpec(
    "classes",
    Class,
    "classes",
    _common(
        Column("title", "title", Kind.TEXT, required=True),
        Column("grades", "grades", Kind.TEXT_LIST),
        Column("courseSourcedId", "course_sourced_id", Kind.GUID, required=True, refers_to="courses"),
        Column("classCode", "class_code", Kind.TEXT),
        Column("classType", "class_type", Kind.ENUM, required=True, vocabulary=CLASS_TYPES, extensible=True),
        Column("location", "location", Kind.TEXT),
        Column(
            "schoolSourcedId", "school_sourced_id", Kind.GUID, required=True, refers_to="orgs", refers_to_type="school"
        ),
        Column("termSourcedIds", "term_sourced_ids", Kind.GUID_LIST, required=True, refers_to="academicSessions"),
        Column("subjects", "subjects", Kind.TEXT_LIST),
        Column("subjectCodes", "subject_codes", Kind.TEXT_LIST),
        Column("periods", "periods", Kind.TEXT_LIST),
    ),
)
_DEMOGRAPHICS = FileSpec(
    "demographics",
    Demographics,
    "demographics",
    (
        # A demographics row's own sourcedId is the user's: it is a reference as well as the key.
        Column("sourcedId", "sourced_id", Kind.GUID, required=True, refers_to="users"),
        *_common()[1:],
        Column("birthDate", "birth_date", Kind.DATE),
        Column("sex", "sex", Kind.ENUM, vocabulary=SEXES, extensible=True),
        Column("americanIndianOrAlaskaNative", "american_indian_or_alaska_native", Kind.BOOLEAN),
        Column("asian", "asian", Kind.BOOLEAN),
        Column("blackOrAfricanAmerican", "black_or_african_american", Kind.BOOLEAN),
        Column("nativeHawaiianOrOtherPacificIslander", "native_hawaiian_or_other_pacific_islander", Kind.BOOLEAN),
        Column("white", "white", Kind.BOOLEAN),
        Column("demographicRaceTwoOrMoreRaces", "demographic_race_two_or_more_races", Kind.BOOLEAN),
        Column("hispanicOrLatinoEthnicity", "hispanic_or_latino_ethnicity", Kind.BOOLEAN),
        Column("countryOfBirthCode", "country_of_birth_code", Kind.TEXT),
        Column("stateOfBirthAbbreviation", "state_of_birth_abbreviation", Kind.TEXT),
        Column("cityOfBirth", "city_of_birth", Kind.TEXT),
        Column("publicSchoolResidenceStatus", "public_school_residence_status", Kind.TEXT),
    ),
)
_ENROLLMENTS = FileSpec(
    "enrollments",
    Enrollment,
    "enrollments",
    _common(
        Column("classSourcedId", "class_sourced_id", Kind.GUID, required=True, refers_to="classes"),
        Column(
            "schoolSourcedId", "school_sourced_id", Kind.GUID, required=True, refers_to="orgs", refers_to_type="school"
        ),
        Column("userSourcedId", "user_sourced_id", Kind.GUID, required=True, refers_to="users"),
        Column("role", "role", Kind.ENUM, required=True, vocabulary=ENROLLMENT_ROLES, extensible=True),
        Column("primary", "primary", Kind.BOOLEAN),
        Column("beginDate", "begin_date", Kind.DATE),
        Column("endDate", "end_date", Kind.DATE),
    ),
)
_ROLES = FileSpec(
    "roles",
    Role,
    "roles",
    _common(
        Column("userSourcedId", "user_sourced_id", Kind.GUID, required=True, refers_to="users"),
        Column("roleType", "role_type", Kind.ENUM, required=True, vocabulary=ROLE_TYPES),
        Column("role", "role", Kind.ENUM, required=True, vocabulary=ROLES, extensible=True),
        Column("beginDate", "begin_date", Kind.DATE),
        Column("endDate", "end_date", Kind.DATE),
        Column("orgSourcedId", "org_sourced_id", Kind.GUID, required=True, refers_to="orgs"),
        # userProfiles.csv is not read, so this reference is kept but not checked.
        Column("userProfileSourcedId", "user_profile_sourced_id", Kind.GUID),
    ),
)
_USERS = FileSpec(
    "users",
    User,
    "users",
    _common(
        Column("enabledUser", "enabled_user", Kind.BOOLEAN, required=True),
        Column("username", "username", Kind.TEXT, required=True),
        Column("userIds", "user_ids", Kind.USER_IDS),
        Column("givenName", "given_name", Kind.TEXT, required=True),
        Column("familyName", "family_name", Kind.TEXT, required=True),
        Column("middleName", "middle_name", Kind.TEXT),
        Column("identifier", "identifier", Kind.TEXT),
        Column("email", "email", Kind.TEXT),
        Column("sms", "sms", Kind.TEXT),
        Column("phone", "phone", Kind.TEXT),
        Column("agentSourcedIds", "agent_sourced_ids", Kind.GUID_LIST, refers_to="users"),
        Column("grades", "grades", Kind.TEXT_LIST),
        Column("password", "password", Kind.TEXT),
        Column("userMasterIdentifier", "user_master_identifier", Kind.TEXT),
        Column("preferredGivenName", "preferred_given_name", Kind.TEXT),
        Column("preferredMiddleName", "preferred_middle_name", Kind.TEXT),
        Column("preferredFamilyName", "preferred_family_name", Kind.TEXT),
        Column("primaryOrgSourcedId", "primary_org_sourced_id", Kind.GUID, refers_to="orgs"),
        Column("pronouns", "pronouns", Kind.TEXT),
    ),
)

# The rostering files, in the binding's (alphabetical) order: the order files go into a zip.
FILES: dict[FileKind, FileSpec] = {
    spec.kind: spec
    for spec in (_ACADEMIC_SESSIONS, _CLASSES, _COURSES, _DEMOGRAPHICS, _ENROLLMENTS, _ORGS, _ROLES, _USERS)
}
