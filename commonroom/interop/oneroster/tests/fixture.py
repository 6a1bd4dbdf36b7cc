"""A small school's roster, for the golden files and the round trip.

One school under a district, a school year of two terms, two courses each taught as one class, a
teacher, three students and a parent, their roles, enrollments and the students' demographics.

Regenerate the golden files after a deliberate change to the writer with
``python -m commonroom.interop.oneroster.tests.fixture`` (then read the diff).
"""

from __future__ import annotations

import datetime
import pathlib

from commonroom.interop.oneroster import (
    AcademicSession,
    Class,
    Course,
    Demographics,
    Enrollment,
    Org,
    Role,
    Roster,
    User,
    UserId,
    write_file,
)
from commonroom.interop.oneroster.model import FILES

GOLDEN = pathlib.Path(__file__).parent / "golden"
GENERATED_AT = datetime.datetime(2025, 9, 1, 6, 30, 12, tzinfo=datetime.UTC)

DISTRICT = "org-district"
SCHOOL = "org-school"
YEAR = "as-2025"
AUTUMN = "as-2025-t1"
SPRING = "as-2025-t2"


def _student(number: int, given: str, family: str, **extra: object) -> User:
    return User(
        sourced_id=f"user-student-{number}",
        enabled_user=True,
        username=f"{given.lower()}.{family.lower()}",
        given_name=given,
        family_name=family,
        identifier=f"S00{number}",
        grades=("07",),
        primary_org_sourced_id=SCHOOL,
        agent_sourced_ids=("user-parent-1",) if number in (1, 2) else (),
        **extra,  # type: ignore[arg-type]
    )


def school_roster() -> Roster:
    """The fixture; each list already in sourcedId order, so it equals what is read back."""
    return Roster(
        orgs=[
            Org(sourced_id=DISTRICT, name="Northvale Learning Trust", type="district", identifier="NLT"),
            Org(
                sourced_id=SCHOOL,
                name='St Anne\'s "Hill" School, Northvale',
                type="school",
                identifier="URN123456",
                parent_sourced_id=DISTRICT,
            ),
        ],
        academic_sessions=[
            AcademicSession(
                sourced_id=YEAR,
                title="2025/26",
                type="schoolYear",
                start_date=datetime.date(2025, 9, 1),
                end_date=datetime.date(2026, 8, 1),
                school_year=2026,
            ),
            AcademicSession(
                sourced_id=AUTUMN,
                title="Autumn and spring terms",
                type="term",
                start_date=datetime.date(2025, 9, 1),
                end_date=datetime.date(2026, 4, 1),
                parent_sourced_id=YEAR,
                school_year=2026,
            ),
            AcademicSession(
                sourced_id=SPRING,
                title="Summer term",
                type="term",
                start_date=datetime.date(2026, 4, 13),
                end_date=datetime.date(2026, 7, 22),
                parent_sourced_id=YEAR,
                school_year=2026,
            ),
        ],
        courses=[
            Course(
                sourced_id="course-en7",
                title="English, Year 7",
                course_code="EN7",
                school_year_sourced_id=YEAR,
                org_sourced_id=SCHOOL,
                grades=("07",),
                subjects=("English",),
                subject_codes=("ENG",),
            ),
            Course(
                sourced_id="course-ma7",
                title="Mathematics, Year 7",
                course_code="MA7",
                school_year_sourced_id=YEAR,
                org_sourced_id=SCHOOL,
                grades=("07",),
                subjects=("Mathematics", "Statistics"),
                subject_codes=("MAT", "STA"),
            ),
        ],
        classes=[
            Class(
                sourced_id="class-7en1",
                title="7EN1",
                course_sourced_id="course-en7",
                class_code="7EN1",
                class_type="scheduled",
                location="Room 12",
                school_sourced_id=SCHOOL,
                term_sourced_ids=(AUTUMN, SPRING),
                grades=("07",),
                subjects=("English",),
                subject_codes=("ENG",),
                periods=("1", "4"),
            ),
            Class(
                sourced_id="class-7ma1",
                title="7MA1",
                course_sourced_id="course-ma7",
                class_code="7MA1",
                class_type="scheduled",
                school_sourced_id=SCHOOL,
                term_sourced_ids=(AUTUMN,),
                grades=("07",),
                periods=("2",),
            ),
        ],
        users=[
            User(
                sourced_id="user-parent-1",
                enabled_user=True,
                username="priya.shah.parent",
                given_name="Priya",
                family_name="Shah",
                email="priya.shah@example.org",
                phone="+44 113 496 0000",
                agent_sourced_ids=("user-student-1", "user-student-2"),
                primary_org_sourced_id=SCHOOL,
            ),
            _student(
                1,
                "Arjun",
                "Shah",
                preferred_given_name="Ari",
                pronouns="he/him",
                user_ids=(UserId("MIS", "4471"), UserId("LDAP", "uid=arjun.shah")),
                metadata={"commonroom.house": "Kestrel"},
            ),
            _student(2, "Maya", "Shah", middle_name="Rose", metadata={"commonroom.house": "Osprey"}),
            _student(3, "Tomás", "Ó Briain", pronouns="they/them", user_master_identifier="a7f3e0b2"),
            User(
                sourced_id="user-teacher-1",
                enabled_user=True,
                username="h.okafor",
                given_name="Helen",
                family_name="Okafor",
                email="h.okafor@st-annes.example.org",
                identifier="T042",
                user_ids=(UserId("MIS", "9001"),),
                primary_org_sourced_id=SCHOOL,
            ),
        ],
        roles=[
            Role(
                sourced_id="role-parent-1",
                user_sourced_id="user-parent-1",
                role_type="primary",
                role="parent",
                org_sourced_id=SCHOOL,
            ),
            Role(
                sourced_id="role-student-1",
                user_sourced_id="user-student-1",
                role_type="primary",
                role="student",
                org_sourced_id=SCHOOL,
                begin_date=datetime.date(2025, 9, 1),
            ),
            Role(
                sourced_id="role-student-2",
                user_sourced_id="user-student-2",
                role_type="primary",
                role="student",
                org_sourced_id=SCHOOL,
                begin_date=datetime.date(2025, 9, 1),
            ),
            Role(
                sourced_id="role-student-3",
                user_sourced_id="user-student-3",
                role_type="primary",
                role="student",
                org_sourced_id=SCHOOL,
                begin_date=datetime.date(2025, 9, 1),
            ),
            Role(
                sourced_id="role-teacher-1",
                user_sourced_id="user-teacher-1",
                role_type="primary",
                role="teacher",
                org_sourced_id=SCHOOL,
                begin_date=datetime.date(2019, 9, 1),
            ),
            Role(
                sourced_id="role-teacher-1-trust",
                user_sourced_id="user-teacher-1",
                role_type="secondary",
                role="ext:subjectLead",
                org_sourced_id=DISTRICT,
            ),
        ],
        enrollments=[
            Enrollment(
                sourced_id="enr-7en1-s1",
                class_sourced_id="class-7en1",
                school_sourced_id=SCHOOL,
                user_sourced_id="user-student-1",
                role="student",
            ),
            Enrollment(
                sourced_id="enr-7en1-s2",
                class_sourced_id="class-7en1",
                school_sourced_id=SCHOOL,
                user_sourced_id="user-student-2",
                role="student",
            ),
            Enrollment(
                sourced_id="enr-7en1-s3",
                class_sourced_id="class-7en1",
                school_sourced_id=SCHOOL,
                user_sourced_id="user-student-3",
                role="student",
                begin_date=datetime.date(2025, 10, 6),
            ),
            Enrollment(
                sourced_id="enr-7en1-t1",
                class_sourced_id="class-7en1",
                school_sourced_id=SCHOOL,
                user_sourced_id="user-teacher-1",
                role="teacher",
                primary=True,
            ),
            Enrollment(
                sourced_id="enr-7ma1-s1",
                class_sourced_id="class-7ma1",
                school_sourced_id=SCHOOL,
                user_sourced_id="user-student-1",
                role="student",
            ),
            Enrollment(
                sourced_id="enr-7ma1-s3",
                class_sourced_id="class-7ma1",
                school_sourced_id=SCHOOL,
                user_sourced_id="user-student-3",
                role="student",
                end_date=datetime.date(2026, 2, 13),
            ),
            Enrollment(
                sourced_id="enr-7ma1-t1",
                class_sourced_id="class-7ma1",
                school_sourced_id=SCHOOL,
                user_sourced_id="user-teacher-1",
                role="teacher",
                primary=False,
            ),
        ],
        demographics=[
            Demographics(
                sourced_id="user-student-1", birth_date=datetime.date(2014, 3, 2), sex="male", asian=True, white=False
            ),
            Demographics(
                sourced_id="user-student-2",
                birth_date=datetime.date(2015, 1, 30),
                sex="female",
                country_of_birth_code="GB",
            ),
            Demographics(
                sourced_id="user-student-3",
                birth_date=datetime.date(2014, 11, 19),
                sex="unspecified",
                country_of_birth_code="IE",
                city_of_birth="Galway",
            ),
        ],
    )


def regenerate() -> None:
    """Write the golden files from the fixture (the data files and the manifest)."""
    import io
    import zipfile

    from commonroom.interop.oneroster import write_roster

    roster = school_roster()
    GOLDEN.mkdir(exist_ok=True)
    for spec in FILES.values():
        (GOLDEN / spec.name).write_bytes(write_file(spec.kind, getattr(roster, spec.roster_attr)).encode("utf-8"))
    with zipfile.ZipFile(io.BytesIO(write_roster(roster, generated_at=GENERATED_AT))) as archive:
        (GOLDEN / "manifest.csv").write_bytes(archive.read("manifest.csv"))


if __name__ == "__main__":
    regenerate()
