"""A school's roster out of Commonroom as OneRoster 1.2 CSV, and into it: the mapping and the services.

``roster_export`` builds a ``Roster`` from the database (only what the actor may see) and writes the
zip; ``roster_preview`` reads a zip and says what an import would do; ``roster_import`` does it, all or
nothing, in one transaction. Both ways need the ``enrol`` rule on the institution (head, senior leader,
office). The mapping, the sourcedId scheme and what is left out are in docs/oneroster.md; the short
version:

=================================  ==========================================================
Commonroom                         OneRoster
=================================  ==========================================================
local authority                    org ``district`` (identifier: LA number), ``la-<pk>``
institution                        org ``school`` (identifier: URN), ``inst-<pk>``
academic year / its terms          academicSession ``schoolYear`` / ``term``, ``year-<pk>`` / ``term-<pk>``
subject + NC year of teaching      course "Mathematics Y10", ``course-<year pk>-<subject slug>-<year>``
groups; NC year of registration    course "Registration Y10", ``course-<year pk>-registration-<year>``
groups
teaching / registration group      class ``scheduled`` / ``homeroom``, classCode = group code, ``group-<pk>``
learner, staff member, contact     user, ``person-<pk>`` (one user per person, whatever their roles)
their role at the school           roles.csv row, ``role-<institution pk>-<person pk>-<role>``
group membership / group staff     enrollment ``student`` / ``teacher``, ``membership-<pk>`` / ``groupstaff-<pk>``
learner's date of birth and sex    demographics (the user's sourcedId)
=================================  ==========================================================
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require, visible
from commonroom.authz.models import Role as StaffRole
from commonroom.authz.models import RoleAssignment
from commonroom.common.dates import in_force
from commonroom.interop.oneroster import (
    AcademicSession,
    Class,
    Course,
    Demographics,
    Enrollment,
    OneRosterError,
    Org,
    Problem,
    Role,
    Roster,
    User,
    UserId,
    read_roster,
    write_roster,
)
from commonroom.interop.oneroster.errors import ARCHIVE
from commonroom.interop.oneroster.model import FILES
from commonroom.organisations.models import AcademicYear, Institution, Term
from commonroom.people.identifiers import normalise_upn, uln_problem, upn_problem
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, GroupStaff, Learner, Person
from commonroom.people.policies import not_ended

SYSTEM_NAME = "Commonroom"

# --------------------------------------------------------------------------------------------------
# The mapping, both ways
# --------------------------------------------------------------------------------------------------

# Our staff roles as OneRoster roles.csv roles. The head is the principal; the others who run the
# school are site administrators; everyone who teaches (SENCOs and DSLs are teachers too) is a teacher.
STAFF_ROLES: dict[str, str] = {
    StaffRole.HEAD: "principal",
    StaffRole.LEADER: "siteAdministrator",
    StaffRole.OFFICE: "siteAdministrator",
    StaffRole.SENCO: "teacher",
    StaffRole.DSL: "teacher",
    StaffRole.TEACHER: "teacher",
}
# Which of a person's roles is their primary one at the school: the first in this order.
ROLE_ORDER = ("principal", "siteAdministrator", "teacher", "student", "guardian", "parent", "relative")

# Contacts: our relationships as roles.csv roles, and back.
RELATIONSHIP_ROLES: dict[str, str] = {
    ContactLink.Relationship.MOTHER: "parent",
    ContactLink.Relationship.FATHER: "parent",
    ContactLink.Relationship.PARENT: "parent",
    ContactLink.Relationship.STEP_PARENT: "parent",
    ContactLink.Relationship.GRANDPARENT: "relative",
    ContactLink.Relationship.FOSTER_CARER: "guardian",
    ContactLink.Relationship.CARER: "guardian",
    ContactLink.Relationship.OTHER: "relative",
}
ROLE_RELATIONSHIPS: dict[str, str] = {
    "parent": ContactLink.Relationship.PARENT,
    "guardian": ContactLink.Relationship.CARER,
    "relative": ContactLink.Relationship.OTHER,
}

# How a user is treated on import, by their role at the school.
STUDENT_ROLES = frozenset({"student"})
FAMILY_ROLES = frozenset(ROLE_RELATIONSHIPS)
STAFF_IMPORT_ROLES = frozenset(
    {"teacher", "principal", "siteAdministrator", "aide", "counselor", "proctor", "districtAdministrator",
     "systemAdministrator"}
)

# Group staff roles as enrollments: (enrollment role, primary). Heads of year are left out, since
# year groups are not classes.
GROUP_STAFF_ENROLLMENTS: dict[str, tuple[str, bool]] = {
    GroupStaff.Role.TEACHER: ("teacher", True),
    GroupStaff.Role.TUTOR: ("teacher", True),
    GroupStaff.Role.ASSISTANT: ("teacher", False),
}

SEXES = {"M": "male", "F": "female", "U": "unspecified"}
SEXES_BACK = {"male": "M", "female": "F"}  # anything else given ("unspecified", "other", "ext:...") is U

# The longest values our fields hold.
CODE_MAX = Group._meta.get_field("code").max_length or 20
NAME_MAX = Group._meta.get_field("name").max_length or 100
SUBJECT_MAX = Group._meta.get_field("subject").max_length or 100
PERSON_NAME_MAX = Person._meta.get_field("given_name").max_length or 100
PHONE_MAX = Person._meta.get_field("phone").max_length or 30
EMAIL_MAX = Person._meta.get_field("email").max_length or 254


def nc_year_grade(nc_year: int | None) -> str | None:
    """The CEDS grade level (the vocabulary OneRoster's ``grades`` uses) for an NC year, by age.

    Children start Year 1 at five, as US children start kindergarten: Year N is grade N-1, Reception
    is pre-kindergarten, Nursery preschool, Year 14 grade 13.
    """
    if nc_year is None:
        return None
    if nc_year <= -1:
        return "PR"
    if nc_year == 0:
        return "PK"
    if nc_year == 1:
        return "KG"
    return f"{min(nc_year, 14) - 1:02d}"


def grade_nc_year(grade: str) -> int | None:
    """The NC year for a CEDS grade level (the reverse of ``nc_year_grade``), or None if it has none."""
    named = {"IT": -1, "PR": -1, "PK": 0, "TK": 0, "KG": 1}
    if grade in named:
        return named[grade]
    if re.fullmatch(r"\d{1,2}", grade) and 1 <= int(grade) <= 13:
        return int(grade) + 1
    return None


def year_label(nc_year: int | None) -> str:
    if nc_year is None:
        return ""
    return {-1: "Nursery", 0: "Reception"}.get(nc_year, f"Y{nc_year}")


def exclusive_end(last_day: datetime.date | None) -> datetime.date | None:
    """OneRoster end dates are exclusive; ours are the last day."""
    return last_day + datetime.timedelta(days=1) if last_day else None


def last_day(end: datetime.date | None) -> datetime.date | None:
    return end - datetime.timedelta(days=1) if end else None


def _text(value: str) -> str:
    """A value a CSV field may hold: no line breaks or NUL (the writer refuses them)."""
    return " ".join(re.split(r"[\r\n\x00]+", value)).strip()


def _item(value: str) -> str:
    """A list item: as ``_text``, and no commas (they separate the items)."""
    return _text(value).replace(",", " ")


# sourcedIds: a type prefix and our primary key, so they are stable for as long as the rows live.
def la_sid(pk: int) -> str:
    return f"la-{pk}"


def school_sid(pk: int) -> str:
    return f"inst-{pk}"


def year_sid(pk: int) -> str:
    return f"year-{pk}"


def term_sid(pk: int) -> str:
    return f"term-{pk}"


def group_sid(pk: int) -> str:
    return f"group-{pk}"


def person_sid(pk: int) -> str:
    return f"person-{pk}"


def course_sid(year_pk: int, subject: str, nc_year: int | None) -> str:
    grade = "all" if nc_year is None else ("n" if nc_year < 0 else str(nc_year))
    return f"course-{year_pk}-{slugify(subject) or 'none'}-{grade}"


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------


class ExportRefused(ValueError):
    """The roster cannot be exported (the message says why)."""


def current_year(institution: Institution, on: datetime.date) -> AcademicYear | None:
    return AcademicYear.objects.filter(institution=institution, start_date__lte=on, end_date__gte=on).first()


@dataclass
class _Person:
    person: Person
    roles: dict[str, tuple[datetime.date | None, datetime.date | None]] = field(default_factory=dict)
    agents: set[int] = field(default_factory=set)
    learner: Learner | None = None
    grade: str | None = None

    def add_role(self, role: str, start: datetime.date | None, end: datetime.date | None) -> None:
        """Each role once, from its earliest start to its latest end (None: open)."""
        if role in self.roles:
            old_start, old_end = self.roles[role]
            start = min((d for d in (old_start, start) if d), default=None)
            end = None if old_end is None or end is None else max(old_end, end)
        self.roles[role] = (start, end)


def roster_build(actor: Actor, institution: Institution, year: AcademicYear) -> tuple[Roster, list[int]]:
    """The institution's roster for ``year`` as the actor may see it, and the ids of the learners in it.

    A fixed number of queries whatever the size of the school.
    """
    on = actor.on
    school = school_sid(institution.pk)
    orgs: list[Org] = []
    authority = institution.local_authority
    if authority is not None:
        orgs.append(Org(sourced_id=la_sid(authority.pk), name=_text(authority.name), type="district",
                        identifier=authority.la_number or None))
    orgs.append(Org(sourced_id=school, name=_text(institution.name), type="school", identifier=institution.urn or None,
                    parent_sourced_id=la_sid(authority.pk) if authority is not None else None))

    school_year = year.end_date.year
    sessions = [AcademicSession(sourced_id=year_sid(year.pk), title=_text(year.name), type="schoolYear",
                                start_date=year.start_date, end_date=exclusive_end(year.end_date) or year.end_date,
                                school_year=school_year)]
    terms = list(Term.objects.filter(institution=institution, academic_year=year).order_by("start_date"))
    sessions += [
        AcademicSession(sourced_id=term_sid(term.pk), title=_text(term.name), type="term", start_date=term.start_date,
                        end_date=exclusive_end(term.end_date) or term.end_date, school_year=school_year,
                        parent_sourced_id=year_sid(year.pk))
        for term in terms
    ]
    term_ids = tuple(term_sid(term.pk) for term in terms) or (year_sid(year.pk),)

    # Learners on roll (or due to join) whom the actor may see: a learner they are barred from is not here.
    enrolments = (
        visible(actor, Enrolment)
        .filter(not_ended(on), institution=institution)
        .select_related("learner__person")
        .order_by("start_date")
    )
    people: dict[int, _Person] = {}
    for enrolment in enrolments:
        learner = enrolment.learner
        entry = people.setdefault(learner.pk, _Person(person=learner.person, learner=learner))
        entry.add_role("student", enrolment.start_date, enrolment.end_date)
    learner_ids = sorted(people)
    learner_set = set(learner_ids)

    # Staff holding a role here today (the staff directory the actor may see).
    assignments = (
        visible(actor, RoleAssignment)
        .filter(in_force(on=on), institution=institution, role__in=list(STAFF_ROLES))  # governors are not staff
        .select_related("person")
    )
    for assignment in assignments:
        staff_entry = people.get(assignment.person_id)
        if staff_entry is None:
            staff_entry = people[assignment.person_id] = _Person(person=assignment.person)
        staff_entry.add_role(STAFF_ROLES[assignment.role], assignment.start_date, assignment.end_date)
    staff_ids = {assignment.person_id for assignment in assignments}

    # Parents and carers: links in force to these learners, never a barred one.
    links = (
        visible(actor, ContactLink)
        .filter(in_force(on=on), access_barred=False, learner__in=enrolments.values("learner_id"))
        .select_related("contact")
    )
    for link in links:
        if link.learner_id not in learner_set:
            continue
        contact = people.get(link.contact_id)
        if contact is None:
            contact = people[link.contact_id] = _Person(person=link.contact)
        contact.add_role(RELATIONSHIP_ROLES[link.relationship], link.start_date, link.end_date)
        contact.agents.add(link.learner_id)
        people[link.learner_id].agents.add(link.contact_id)

    # Groups: teaching groups are scheduled classes, registration groups homerooms; each has a course.
    groups = list(
        visible(actor, Group)
        .filter(institution=institution, academic_year=year, kind__in=[Group.Kind.TEACHING, Group.Kind.REGISTRATION])
        .order_by("kind", "code", "pk")
    )
    courses: dict[str, Course] = {}
    classes: list[Class] = []
    for group in groups:
        grade = nc_year_grade(group.nc_year)
        grades = (grade,) if grade else ()
        if group.kind == Group.Kind.TEACHING:
            subject = _item(group.subject)
            course_id = course_sid(year.pk, subject, group.nc_year)
            title = " ".join(part for part in (subject or "Teaching group", year_label(group.nc_year)) if part)
            subjects: tuple[str, ...] = (subject,) if subject else ()
        else:
            course_id = course_sid(year.pk, "registration", group.nc_year)
            title = " ".join(part for part in ("Registration", year_label(group.nc_year)) if part)
            subjects = ()
        if course_id not in courses:
            courses[course_id] = Course(sourced_id=course_id, title=title, org_sourced_id=school,
                                        school_year_sourced_id=year_sid(year.pk), grades=grades, subjects=subjects)
        classes.append(Class(
            sourced_id=group_sid(group.pk), title=_text(group.name) or group.code, course_sourced_id=course_id,
            class_type="scheduled" if group.kind == Group.Kind.TEACHING else "homeroom", school_sourced_id=school,
            term_sourced_ids=term_ids, grades=grades, class_code=_text(group.code) or None, subjects=subjects,
        ))
    group_kinds = {group.pk: group for group in groups}

    # Enrollments: memberships in force of the learners above; the group staff among the staff above.
    enrollments: list[Enrollment] = []
    memberships = visible(actor, GroupMembership).filter(
        in_force(on=on), institution=institution, group__academic_year=year,
        group__kind__in=[Group.Kind.TEACHING, Group.Kind.REGISTRATION],
    ).only("pk", "group_id", "learner_id", "start_date", "end_date")
    for membership in memberships:
        if membership.learner_id not in learner_set or membership.group_id not in group_kinds:
            continue
        enrollments.append(Enrollment(
            sourced_id=f"membership-{membership.pk}", class_sourced_id=group_sid(membership.group_id),
            school_sourced_id=school, user_sourced_id=person_sid(membership.learner_id), role="student",
            begin_date=membership.start_date, end_date=exclusive_end(membership.end_date),
        ))
        group = group_kinds[membership.group_id]
        if group.kind == Group.Kind.REGISTRATION and group.nc_year is not None:
            people[membership.learner_id].grade = nc_year_grade(group.nc_year)
    group_staff = GroupStaff.objects.filter(
        in_force(on=on), institution=institution, group_id__in=list(group_kinds), role__in=list(GROUP_STAFF_ENROLLMENTS),
    ).only("pk", "group_id", "person_id", "role", "start_date", "end_date")
    for row in group_staff:
        if row.person_id not in staff_ids:
            continue
        role, primary = GROUP_STAFF_ENROLLMENTS[row.role]
        enrollments.append(Enrollment(
            sourced_id=f"groupstaff-{row.pk}", class_sourced_id=group_sid(row.group_id), school_sourced_id=school,
            user_sourced_id=person_sid(row.person_id), role=role, primary=primary, begin_date=row.start_date,
            end_date=exclusive_end(row.end_date),
        ))

    users: list[User] = []
    roles: list[Role] = []
    demographics: list[Demographics] = []
    for pk, entry in people.items():
        person, pupil = entry.person, entry.learner
        sid = person_sid(pk)
        email = _text(person.email) or None
        ids: tuple[UserId, ...] = ()
        if pupil is not None:
            ids = tuple(UserId(kind, value) for kind, value in (("UPN", pupil.upn), ("ULN", pupil.uln)) if value)
        is_family = any(role in FAMILY_ROLES for role in entry.roles)
        users.append(User(
            sourced_id=sid, enabled_user=True, username=email or sid, user_ids=ids,
            given_name=_text(person.given_name) or "-", family_name=_text(person.family_name) or "-",
            identifier=pupil.upn if pupil is not None and pupil.upn else None, email=email,
            phone=_text(person.phone) or None if is_family else None,
            agent_sourced_ids=tuple(person_sid(agent) for agent in sorted(entry.agents)),
            grades=(entry.grade,) if entry.grade else (), primary_org_sourced_id=school,
            preferred_given_name=_text(person.preferred_name) or None,
        ))
        ordered = sorted(entry.roles, key=ROLE_ORDER.index)
        for index, role in enumerate(ordered):
            start, end = entry.roles[role]
            roles.append(Role(
                sourced_id=f"role-{institution.pk}-{pk}-{role}", user_sourced_id=sid,
                role_type="primary" if index == 0 else "secondary", role=role, org_sourced_id=school,
                begin_date=start, end_date=exclusive_end(end),
            ))
        if pupil is not None:
            demographics.append(Demographics(sourced_id=sid, birth_date=person.date_of_birth,
                                             sex=SEXES.get(person.sex)))
    demographics = [row for row in demographics if row.birth_date or row.sex]
    roster = Roster(orgs=orgs, academic_sessions=sessions, courses=list(courses.values()), classes=classes,
                    users=users, roles=roles, enrollments=enrollments, demographics=demographics)
    return roster, learner_ids


def export_filename(institution: Institution, on: datetime.date) -> str:
    return f"oneroster-{institution.urn or f'institution-{institution.pk}'}-{on.isoformat()}.zip"


def roster_export(
    *, actor: Actor, institution: Institution, academic_year: AcademicYear | None = None
) -> tuple[str, bytes]:
    """The institution's roster as a OneRoster 1.2 bulk CSV zip: (file name, bytes). Audited.

    ``academic_year`` defaults to the one covering today; ExportRefused if there is none.
    """
    require(actor, "enrol", institution)
    if academic_year is not None and academic_year.institution_id != institution.pk:
        raise NotFound()
    year = academic_year or current_year(institution, actor.on)
    if year is None:
        raise ExportRefused("The school has no academic year covering today: add this year and its terms first.")
    roster, learner_ids = roster_build(actor, institution, year)
    data = write_roster(roster, generated_at=timezone.now(), source_system_name=SYSTEM_NAME)
    counts: dict[str, int] = {str(name): len(getattr(roster, spec.roster_attr)) for name, spec in FILES.items()}
    with transaction.atomic():
        audit.record(actor, "export.oneroster", institution, institution_id=institution.pk,
                     detail={"academic_year": year.pk, **counts})
        audit.record_learner_list_read(actor, learner_ids, what="oneroster_export")
    return export_filename(institution, actor.on), data


# --------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------

KINDS = ("classes", "learners", "contacts", "staff", "enrollments", "other")
KIND_LABELS = {
    "classes": "Classes (groups)",
    "learners": "Learners",
    "contacts": "Parents and carers",
    "staff": "Teachers and other staff",
    "enrollments": "Enrollments (memberships and group staff)",
    "other": "Other users",
}
ACTIONS = ("created", "updated", "unchanged", "skipped")


@dataclass(frozen=True)
class Item:
    """What the import does with one record: created, updated, unchanged or skipped, and why."""

    kind: str
    action: str
    sourced_id: str
    label: str
    reason: str = ""


# A reference to a row: the pk of one that exists, or the key (a sourcedId) of one the import creates.
Ref = int | str


@dataclass
class _Writes:
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # class sid -> Group fields
    group_names: dict[int, str] = field(default_factory=dict)
    learners: dict[str, dict[str, Any]] = field(default_factory=dict)  # user sid -> fields
    ulns: dict[int, str] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)  # user sid -> Person fields
    links: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    group_staff: list[dict[str, Any]] = field(default_factory=list)
    touched_learners: set[int] = field(default_factory=set)


@dataclass
class RosterPlan:
    """What importing a package does (a preview), item by item; nothing has been written."""

    institution: Institution
    items: list[Item] = field(default_factory=list)
    committed: bool = False
    _writes: _Writes = field(default_factory=_Writes, repr=False)

    def add(self, kind: str, action: str, sourced_id: str, label: str, reason: str = "") -> None:
        self.items.append(Item(kind, action, sourced_id, label, reason))

    def counts(self) -> dict[str, dict[str, int]]:
        counts = {kind: dict.fromkeys(ACTIONS, 0) for kind in KINDS}
        for item in self.items:
            counts[item.kind][item.action] += 1
        return counts

    def total(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)

    @property
    def total_created(self) -> int:
        return self.total("created")

    @property
    def total_updated(self) -> int:
        return self.total("updated")

    @property
    def total_skipped(self) -> int:
        return self.total("skipped")

    def changes(self) -> list[Item]:
        return [item for item in self.items if item.action in ("created", "updated")]

    def skipped(self) -> list[Item]:
        return [item for item in self.items if item.action == "skipped"]

    def summary(self) -> list[tuple[str, str, dict[str, int]]]:
        """(kind, label, counts) for each kind that has any item, for templates."""
        counts = self.counts()
        return [(kind, KIND_LABELS[kind], counts[kind]) for kind in KINDS if any(counts[kind].values())]


@dataclass
class RosterImportReport(RosterPlan):
    """What an import did."""

    committed: bool = True
    created_learner_ids: list[int] = field(default_factory=list)


class _Problems:
    """Problems with the package's meaning (the reader has checked its form), each naming file, line, column."""

    def __init__(self, lines: dict[str, dict[str, int]]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, file: str, sourced_id: str | None, column: str | None, message: str) -> None:
        line = self.lines.get(file, {}).get(sourced_id or "")
        self.problems.append(Problem(f"{file}.csv", line, column, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise OneRosterError(self.problems)


def _line_numbers(data: bytes) -> dict[str, dict[str, int]]:
    """For each rostering file: sourcedId -> the line its row starts on (1 is the header).

    Only called on a package ``read_roster`` accepted, so the zip and its CSV are known to be sound.
    """
    lines: dict[str, dict[str, int]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        for kind in FILES:
            if f"{kind}.csv" not in names:
                continue
            text = archive.read(f"{kind}.csv").decode("utf-8-sig")
            reader = csv.reader(io.StringIO(text, newline=""))
            header = next(reader, [])
            column = header.index("sourcedId") if "sourcedId" in header else 0
            previous = reader.line_num
            found: dict[str, int] = {}
            for values in reader:
                if values and len(values) > column:
                    found.setdefault(values[column], previous + 1)
                previous = reader.line_num
            lines[kind] = found
    return lines


def _name(user: User) -> str:
    return f"{user.preferred_given_name or user.given_name} {user.family_name}"


def _too_long(problems: _Problems, file: str, sid: str, column: str, value: str | None, limit: int) -> bool:
    if value and len(value) > limit:
        problems.add(file, sid, column, f"is {len(value)} characters long; Commonroom keeps at most {limit}")
        return True
    return False


def _email(problems: _Problems, user: User) -> str:
    email = (user.email or "").strip()
    if not email:
        return ""
    if len(email) > EMAIL_MAX:
        problems.add("users", user.sourced_id, "email", f"is longer than {EMAIL_MAX} characters")
        return ""
    try:
        validate_email(email)
    except ValidationError:
        problems.add("users", user.sourced_id, "email", f'"{email[:60]}" is not an email address')
        return ""
    return email


def _nc_year(*grade_lists: tuple[str, ...]) -> int | None:
    """The NC year of the first list that names exactly one year."""
    for grades in grade_lists:
        years = {grade_nc_year(grade) for grade in grades} - {None}
        if len(years) == 1:
            return years.pop()
    return None


def _subject(cls: Class, course: Course | None) -> str:
    if cls.subjects:
        return cls.subjects[0].strip()
    if course is not None and course.subjects:
        return course.subjects[0].strip()
    if course is not None:
        # "Mathematics Y10" -> "Mathematics": the year is the class's grade, not part of the subject.
        return re.sub(r"\s+(Y(ear)?\s*\d{1,2}|Reception|Nursery)$", "", course.title.strip(), flags=re.IGNORECASE)
    return ""


def _plan(actor: Actor, institution: Institution, roster: Roster, lines: dict[str, dict[str, int]]) -> RosterPlan:
    """Match the package against the database and decide every write; OneRosterError if anything is wrong."""
    on = actor.on
    plan = RosterPlan(institution=institution)
    writes = plan._writes
    problems = _Problems(lines)

    # The school: an org whose identifier is our URN.
    if not institution.urn:
        problems.add("orgs", None, "identifier", f"{institution.name} has no URN in Commonroom, and a package names "
                     "its school by URN: add the URN first")
        problems.raise_if_any()
    ours = {org.sourced_id for org in roster.orgs if (org.identifier or "").strip() == institution.urn}
    if not ours:
        named = ", ".join(f"{org.identifier} ({org.name})" for org in roster.orgs if org.type == "school" and org.identifier)
        problems.add("orgs", None, "identifier", f"this package is for another school: no org has the identifier "
                     f"{institution.urn}, the URN of {institution.name}" + (f"; it names {named[:200]}" if named else ""))
        problems.raise_if_any()

    # Each user's roles here: roles.csv rows at our org (primary first), else their enrollments' roles.
    user_roles: dict[str, list[str]] = defaultdict(list)
    role_begin: dict[str, datetime.date] = {}
    for role in sorted(roster.roles, key=lambda r: (r.role_type != "primary", r.sourced_id)):
        if role.org_sourced_id in ours and role.status != "tobedeleted":
            user_roles[role.user_sourced_id].append(role.role)
            if role.begin_date and role.role == "student":
                role_begin.setdefault(role.user_sourced_id, role.begin_date)
    enrolled_as: dict[str, set[str]] = defaultdict(set)
    for enrollment in roster.enrollments:
        if enrollment.school_sourced_id in ours and enrollment.status != "tobedeleted":
            enrolled_as[enrollment.user_sourced_id].add(enrollment.role)
    for user_sid, enrolled_roles in enrolled_as.items():
        if user_sid not in user_roles:
            user_roles[user_sid] = sorted(enrolled_roles)
    users = {user.sourced_id: user for user in roster.users}
    demographics = {row.sourced_id: row for row in roster.demographics}

    students: list[User] = []
    staff_users: list[User] = []
    family_users: list[User] = []
    for user in roster.users:
        roles = user_roles.get(user.sourced_id, [])
        if user.status == "tobedeleted":
            plan.add("other", "skipped", user.sourced_id, _name(user), "marked tobedeleted: an import never deletes")
        elif not roles:
            plan.add("other", "skipped", user.sourced_id, _name(user), "has no role at this school")
        elif roles[0] in STUDENT_ROLES:
            students.append(user)
        elif any(role in STAFF_IMPORT_ROLES for role in roles) or any(role in FAMILY_ROLES for role in roles):
            if any(role in STAFF_IMPORT_ROLES for role in roles):
                staff_users.append(user)
            if any(role in FAMILY_ROLES for role in roles):
                family_users.append(user)
        else:
            plan.add("other", "skipped", user.sourced_id, _name(user), f"the role {roles[0]} is not imported")

    # ---- Classes -> groups.
    year = current_year(institution, on)
    courses = {course.sourced_id: course for course in roster.courses}
    kinds = {"homeroom": Group.Kind.REGISTRATION, "scheduled": Group.Kind.TEACHING}
    our_classes = [cls for cls in roster.classes if cls.school_sourced_id in ours]
    if our_classes and year is None:
        problems.add("classes", None, None, f"{institution.name} has no academic year covering today, so classes "
                     "have nowhere to go: add this year first")
    existing_groups: dict[tuple[str, str], Group] = {}
    year_groups: dict[int, list[int]] = defaultdict(list)
    if year is not None:
        for group in visible(actor, Group).filter(institution=institution, academic_year=year):
            existing_groups[(group.kind, group.code)] = group
            if group.kind == Group.Kind.YEAR and group.nc_year is not None:
                year_groups[group.nc_year].append(group.pk)
    class_refs: dict[str, tuple[Ref, str]] = {}  # class sid -> (group pk or class sid, group kind)
    seen_codes: dict[tuple[str, str], str] = {}
    for cls in roster.classes:
        label = f"{cls.class_code or '–'} {cls.title}"
        if cls.school_sourced_id not in ours:
            plan.add("classes", "skipped", cls.sourced_id, label, "belongs to another school in the package")
            continue
        if cls.status == "tobedeleted":
            plan.add("classes", "skipped", cls.sourced_id, label, "marked tobedeleted: an import never deletes")
            continue
        kind = kinds.get(cls.class_type)
        if kind is None:
            plan.add("classes", "skipped", cls.sourced_id, label, f"class type {cls.class_type} is not imported")
            continue
        code = (cls.class_code or "").strip()
        if not code:
            plan.add("classes", "skipped", cls.sourced_id, label, "has no classCode: classes are matched to groups by code")
            continue
        course = courses.get(cls.course_sourced_id)
        subject = _subject(cls, course) if kind == Group.Kind.TEACHING else ""
        bad = _too_long(problems, "classes", cls.sourced_id, "classCode", code, CODE_MAX)
        bad |= _too_long(problems, "classes", cls.sourced_id, "title", cls.title.strip(), NAME_MAX)
        bad |= _too_long(problems, "classes", cls.sourced_id, "subjects", subject, SUBJECT_MAX)
        first = seen_codes.setdefault((kind, code), cls.sourced_id)
        if first != cls.sourced_id:
            line = lines.get("classes", {}).get(first)
            problems.add("classes", cls.sourced_id, "classCode", f'"{code}" is also the code of the class on line {line}'
                         if line else f'"{code}" is also the code of class {first}')
            bad = True
        if bad or year is None:
            continue
        name = cls.title.strip() or code
        match = existing_groups.get((kind, code))
        if match is not None:
            class_refs[cls.sourced_id] = (match.pk, kind)
            if match.name != name:
                writes.group_names[match.pk] = name
                plan.add("classes", "updated", cls.sourced_id, label, f"name was {match.name}")
            else:
                plan.add("classes", "unchanged", cls.sourced_id, label, "matches the group with this code")
            continue
        nc_year = _nc_year(cls.grades, course.grades if course else ())
        candidates = year_groups.get(nc_year, []) if nc_year is not None and kind == Group.Kind.REGISTRATION else []
        writes.groups[cls.sourced_id] = {
            "kind": kind, "code": code, "name": name, "subject": subject, "nc_year": nc_year,
            "year_group_id": candidates[0] if len(candidates) == 1 else None,
        }
        class_refs[cls.sourced_id] = (cls.sourced_id, kind)
        plan.add("classes", "created", cls.sourced_id, label)

    # ---- Students -> learners.
    upns: dict[str, str] = {}  # user sid -> UPN
    ulns: dict[str, str] = {}
    first_upn: dict[str, str] = {}
    first_uln: dict[str, str] = {}
    refused: set[str] = set()  # students with a problem already named
    for user in students:
        given = next((uid.identifier for uid in user.user_ids if uid.type.strip().upper() == "UPN"), None)
        if given is not None:
            upn = normalise_upn(given)
            problem = upn_problem(upn)
            if problem:
                problems.add("users", user.sourced_id, "userIds", f"UPN {upn[:20]}: {problem}")
                refused.add(user.sourced_id)
                continue
        else:
            upn = normalise_upn(user.identifier or "")
            if not upn or upn_problem(upn):
                continue  # no UPN: skipped below
        other = first_upn.setdefault(upn, user.sourced_id)
        if other != user.sourced_id:
            problems.add("users", user.sourced_id, "userIds", f"UPN {upn} is also the UPN of user {other}")
            refused.add(user.sourced_id)
            continue
        upns[user.sourced_id] = upn
        uln = next((uid.identifier.strip() for uid in user.user_ids if uid.type.strip().upper() == "ULN"), "")
        if uln:
            problem = uln_problem(uln)
            other_uln = first_uln.setdefault(uln, user.sourced_id)
            if problem:
                problems.add("users", user.sourced_id, "userIds", f"ULN {uln[:20]}: {problem}")
            elif other_uln != user.sourced_id:
                problems.add("users", user.sourced_id, "userIds", f"ULN {uln} is also the ULN of user {other_uln}")
            else:
                ulns[user.sourced_id] = uln
    wanted_upns = sorted(set(upns.values()))
    # National identifiers are unique in all of Commonroom; whom the actor may change here is the policy's.
    taken_upns = set(Learner.objects.filter(upn__in=wanted_upns).values_list("upn", flat=True)) if wanted_upns else set()
    here = {
        learner.upn: learner
        for learner in visible(actor, Learner, "change").filter(
            upn__in=wanted_upns,
            pk__in=Enrolment.objects.filter(not_ended(on), institution=institution).values("learner_id"),
        ).select_related("person")
    } if wanted_upns else {}
    wanted_ulns = sorted(set(ulns.values()))
    taken_ulns = dict(Learner.objects.filter(uln__in=wanted_ulns).values_list("uln", "pk")) if wanted_ulns else {}
    learner_refs: dict[str, Ref] = {}
    for user in students:
        label = _name(user)
        if user.sourced_id not in upns:
            if user.sourced_id not in refused:
                plan.add("learners", "skipped", user.sourced_id, label,
                         "has no UPN (userIds {UPN:...} or identifier): learners are matched and created by UPN")
            continue
        upn, uln = upns[user.sourced_id], ulns.get(user.sourced_id, "")
        learner = here.get(upn)
        if learner is not None:
            learner_refs[user.sourced_id] = learner.pk
            if uln and not learner.uln and uln not in taken_ulns:
                writes.ulns[learner.pk] = uln
                writes.touched_learners.add(learner.pk)
                plan.add("learners", "updated", user.sourced_id, label, f"UPN {upn}: ULN added")
            else:
                plan.add("learners", "unchanged", user.sourced_id, label, f"UPN {upn} is on roll here")
            continue
        if upn in taken_upns:
            plan.add("learners", "skipped", user.sourced_id, label,
                     f"UPN {upn} belongs to a learner in Commonroom who is not on roll here (or whom you may not "
                     "change): transfer them with a CTF or enrol them by hand")
            continue
        if uln and uln in taken_ulns:
            problems.add("users", user.sourced_id, "userIds", f"ULN {uln} already belongs to another learner in Commonroom")
            continue
        bad = _too_long(problems, "users", user.sourced_id, "givenName", user.given_name.strip(), PERSON_NAME_MAX)
        bad |= _too_long(problems, "users", user.sourced_id, "familyName", user.family_name.strip(), PERSON_NAME_MAX)
        bad |= _too_long(problems, "users", user.sourced_id, "preferredGivenName", user.preferred_given_name,
                         PERSON_NAME_MAX)
        email = _email(problems, user)
        if bad:
            continue
        facts = demographics.get(user.sourced_id)
        sex = "" if facts is None or not facts.sex else SEXES_BACK.get(facts.sex, "U")
        writes.learners[user.sourced_id] = {
            "given_name": user.given_name.strip(), "family_name": user.family_name.strip(),
            "preferred_name": (user.preferred_given_name or "").strip(), "email": email,
            "date_of_birth": facts.birth_date if facts else None, "sex": sex, "upn": upn, "uln": uln or None,
            "start_date": role_begin.get(user.sourced_id) or on,
        }
        learner_refs[user.sourced_id] = user.sourced_id
        plan.add("learners", "created", user.sourced_id, label, f"UPN {upn}")

    # ---- Staff: matched by email to people holding a role here; never created.
    staff_by_email: dict[str, set[int]] = defaultdict(set)
    staff_names: dict[int, str] = {}
    for assignment in visible(actor, RoleAssignment).filter(
        in_force(on=on), institution=institution, role__in=list(STAFF_ROLES)
    ).select_related("person"):
        if assignment.person.email:
            staff_by_email[assignment.person.email.strip().lower()].add(assignment.person_id)
            staff_names[assignment.person_id] = assignment.person.full_name
    staff_refs: dict[str, int] = {}
    for user in staff_users:
        label = _name(user)
        email = (user.email or "").strip().lower()
        matches = staff_by_email.get(email, set()) if email else set()
        if not email:
            plan.add("staff", "skipped", user.sourced_id, label, "has no email: staff are matched by email")
        elif len(matches) > 1:
            plan.add("staff", "skipped", user.sourced_id, label, f"more than one member of staff here has the email {email}")
        elif not matches:
            plan.add("staff", "skipped", user.sourced_id, label,
                     f"no member of staff at {institution.name} has the email {email}: an import never creates staff "
                     "or roles; give them a role here first")
        else:
            person_id = next(iter(matches))
            staff_refs[user.sourced_id] = person_id
            plan.add("staff", "unchanged", user.sourced_id, label, f"matched to {staff_names[person_id]} by email")

    # ---- Parents and carers: agentSourcedIds both ways, to the learners imported above.
    student_sids = {user.sourced_id for user in students}
    family_sids = {user.sourced_id for user in family_users}
    pairs: dict[str, list[str]] = defaultdict(list)
    for user in family_users:
        for agent in user.agent_sourced_ids:
            if agent in student_sids and agent not in pairs[user.sourced_id]:
                pairs[user.sourced_id].append(agent)
    for user in students:
        for agent in user.agent_sourced_ids:
            if agent in family_sids and user.sourced_id not in pairs[agent]:
                pairs[agent].append(user.sourced_id)
    existing_learner_ids = sorted({ref for ref in learner_refs.values() if isinstance(ref, int)})
    links_of: dict[int, list[ContactLink]] = defaultdict(list)
    if existing_learner_ids:
        for link in visible(actor, ContactLink).filter(learner_id__in=existing_learner_ids).select_related("contact"):
            links_of[link.learner_id].append(link)
    next_priority: dict[Ref, int] = {pk: max((link.priority for link in links), default=0) + 1
                                     for pk, links in links_of.items()}

    def same_person(user: User, person: Person) -> bool:
        if user.email and person.email:
            return user.email.strip().lower() == person.email.strip().lower()
        return (user.given_name.strip().lower(), user.family_name.strip().lower()) == (
            person.given_name.strip().lower(), person.family_name.strip().lower())

    for user in family_users:
        label = _name(user)
        children = pairs.get(user.sourced_id, [])
        if not children:
            plan.add("contacts", "skipped", user.sourced_id, label, "is not linked to any learner in the package "
                     "(agentSourcedIds)")
            continue
        imported = [child for child in children if child in learner_refs]
        if not imported:
            plan.add("contacts", "skipped", user.sourced_id, label, "none of their learners is imported (see learners)")
            continue
        bad = _too_long(problems, "users", user.sourced_id, "givenName", user.given_name.strip(), PERSON_NAME_MAX)
        bad |= _too_long(problems, "users", user.sourced_id, "familyName", user.family_name.strip(), PERSON_NAME_MAX)
        bad |= _too_long(problems, "users", user.sourced_id, "phone", (user.phone or "").strip(), PHONE_MAX)
        email = _email(problems, user)
        if bad:
            continue
        family_role = next(role for role in user_roles[user.sourced_id] if role in FAMILY_ROLES)
        # The person: a member of staff matched above, else a contact already linked to one of these
        # learners, else a new person.
        contact: Ref | None = staff_refs.get(user.sourced_id)
        linked: set[str] = set()
        for child in imported:
            ref = learner_refs[child]
            if isinstance(ref, int):
                for link in links_of.get(ref, []):
                    if (contact is not None and link.contact_id == contact) or (
                            contact is None and same_person(user, link.contact)):
                        contact = link.contact_id
                        linked.add(child)
        if contact is None:
            contact = user.sourced_id
            writes.contacts[user.sourced_id] = {
                "given_name": user.given_name.strip(), "family_name": user.family_name.strip(), "email": email,
                "phone": (user.phone or "").strip(),
            }
        for child in imported:
            child_label = f"{label} → {_name(users[child])}"
            if child in linked:
                plan.add("contacts", "unchanged", user.sourced_id, child_label, "already a contact of this learner")
                continue
            ref = learner_refs[child]
            priority = next_priority.get(ref, 1)
            next_priority[ref] = priority + 1
            writes.links.append({
                "learner": ref, "contact": contact, "relationship": ROLE_RELATIONSHIPS[family_role],
                "priority": priority, "parental_responsibility": family_role != "relative",
                "may_receive_reports": family_role != "relative",
            })
            if isinstance(ref, int):
                writes.touched_learners.add(ref)
            plan.add("contacts", "created", user.sourced_id, child_label, ROLE_RELATIONSHIPS[family_role])
        for child in children:
            if child not in learner_refs:
                plan.add("contacts", "skipped", user.sourced_id, f"{label} → {_name(users[child])}",
                         "the learner is not imported (see learners)")

    # ---- Enrollments -> memberships and group staff.
    existing_group_ids = sorted({ref for ref, _kind in class_refs.values() if isinstance(ref, int)})
    in_place: set[tuple[int, int, str]] = set()
    if existing_group_ids and existing_learner_ids:
        in_place |= {
            (group_id, learner_id, "student")
            for group_id, learner_id in visible(actor, GroupMembership).filter(
                not_ended(on), group_id__in=existing_group_ids, learner_id__in=existing_learner_ids,
            ).values_list("group_id", "learner_id")
        }
    if existing_group_ids and staff_refs:
        in_place |= set(GroupStaff.objects.filter(
            not_ended(on), institution=institution, group_id__in=existing_group_ids,
            person_id__in=sorted(set(staff_refs.values())),
        ).values_list("group_id", "person_id", "role"))
    planned: set[tuple[Ref, Ref, str]] = set()
    class_labels = {cls.sourced_id: cls.class_code or cls.title for cls in roster.classes}
    for enrollment in roster.enrollments:
        sid = enrollment.sourced_id
        if enrollment.school_sourced_id not in ours:
            plan.add("enrollments", "skipped", sid, sid, "belongs to another school in the package")
            continue
        enrolled = users.get(enrollment.user_sourced_id)
        who = _name(enrolled) if enrolled else enrollment.user_sourced_id
        label = f"{who} in {class_labels.get(enrollment.class_sourced_id, enrollment.class_sourced_id)}"
        cls_ref = class_refs.get(enrollment.class_sourced_id)
        if enrollment.status == "tobedeleted":
            plan.add("enrollments", "skipped", sid, label, "marked tobedeleted: an import never deletes")
            continue
        if cls_ref is None:
            plan.add("enrollments", "skipped", sid, label, "the class is not imported (see classes)")
            continue
        group_ref, group_kind = cls_ref
        end = last_day(enrollment.end_date)
        begin = enrollment.begin_date or on
        if end is not None and (end < on or end < begin):
            plan.add("enrollments", "skipped", sid, label, f"ended on {end.isoformat()}")
            continue
        if enrollment.role == "student":
            person_ref: Ref | None = learner_refs.get(enrollment.user_sourced_id)
            as_role = "student"
            missing = "the learner is not imported (see learners)"
        elif enrollment.role == "teacher":
            person_ref = staff_refs.get(enrollment.user_sourced_id)
            as_role = str(GroupStaff.Role.TUTOR if group_kind == Group.Kind.REGISTRATION else GroupStaff.Role.TEACHER)
            missing = "the teacher is not matched to staff here (see staff)"
        else:
            plan.add("enrollments", "skipped", sid, label, f"{enrollment.role} enrollments are not imported: only "
                     "student and teacher")
            continue
        if person_ref is None:
            plan.add("enrollments", "skipped", sid, label, missing)
            continue
        key = (group_ref, person_ref, as_role)
        if key in in_place or key in planned:
            plan.add("enrollments", "unchanged", sid, label, "already in the group")
            continue
        planned.add(key)
        row = {"group": group_ref, "person": person_ref, "start_date": begin, "end_date": end}
        if as_role == "student":
            writes.memberships.append(row)
            if isinstance(person_ref, int):
                writes.touched_learners.add(person_ref)
        else:
            writes.group_staff.append({**row, "role": as_role})
        plan.add("enrollments", "created", sid, label, as_role)

    problems.raise_if_any()
    return plan


def _read(data: bytes) -> tuple[Roster, dict[str, dict[str, int]]]:
    roster = read_roster(data)
    return roster, _line_numbers(data)


def roster_preview(*, actor: Actor, institution: Institution, data: bytes) -> RosterPlan:
    """Read and check the package and say what importing it would do; OneRosterError names every problem."""
    require(actor, "enrol", institution)
    roster, lines = _read(data)
    return _plan(actor, institution, roster, lines)


def roster_import(*, actor: Actor, institution: Institution, data: bytes) -> RosterImportReport:
    """Import the package, all or nothing, in one transaction; OneRosterError names every problem.

    Importing the same package again creates nothing.
    """
    require(actor, "enrol", institution)
    roster, lines = _read(data)
    try:
        with transaction.atomic():
            plan = _plan(actor, institution, roster, lines)
            created = _write(actor, institution, plan)
    except (IntegrityError, DataError):
        raise OneRosterError([Problem(ARCHIVE, None, None, "someone changed some of these records at the same "
                                      "moment, or a value does not fit; nothing was imported: try again")]) from None
    return RosterImportReport(institution=institution, items=plan.items, _writes=plan._writes,
                              created_learner_ids=created)


def _write(actor: Actor, institution: Institution, plan: RosterPlan) -> list[int]:
    """Every write the plan decided, in bulk; the ids of the learners created."""
    writes, on = plan._writes, actor.on
    year = current_year(institution, on)
    groups: dict[Ref, int] = {}
    if writes.groups:
        assert year is not None
        made = Group.objects.bulk_create(
            Group(institution=institution, academic_year=year, **fields) for fields in writes.groups.values()
        )
        groups.update({sid: group.pk for sid, group in zip(writes.groups, made, strict=True)})
    if writes.group_names:
        renamed = list(Group.objects.filter(institution=institution, pk__in=list(writes.group_names)))
        for group in renamed:
            group.name = writes.group_names[group.pk]
        Group.objects.bulk_update(renamed, ["name"])

    learners: dict[Ref, int] = {}
    if writes.learners:
        people = Person.objects.bulk_create(
            Person(given_name=row["given_name"], family_name=row["family_name"], preferred_name=row["preferred_name"],
                   email=row["email"], date_of_birth=row["date_of_birth"], sex=row["sex"])
            for row in writes.learners.values()
        )
        Learner.objects.bulk_create(
            Learner(person=person, upn=row["upn"], uln=row["uln"])
            for person, row in zip(people, writes.learners.values(), strict=True)
        )
        Enrolment.objects.bulk_create(
            Enrolment(institution=institution, learner_id=person.pk, start_date=row["start_date"])
            for person, row in zip(people, writes.learners.values(), strict=True)
        )
        learners.update({sid: person.pk for sid, person in zip(writes.learners, people, strict=True)})
    if writes.ulns:
        updated = list(Learner.objects.filter(pk__in=list(writes.ulns)))
        for learner in updated:
            learner.uln = writes.ulns[learner.pk]
        Learner.objects.bulk_update(updated, ["uln"])

    contacts: dict[Ref, int] = {}
    if writes.contacts:
        made_people = Person.objects.bulk_create(Person(**fields) for fields in writes.contacts.values())
        contacts.update({sid: person.pk for sid, person in zip(writes.contacts, made_people, strict=True)})

    def resolve(ref: Ref, made: dict[Ref, int]) -> int:
        return ref if isinstance(ref, int) else made[ref]

    ContactLink.objects.bulk_create(
        ContactLink(learner_id=resolve(link["learner"], learners), contact_id=resolve(link["contact"], contacts),
                    relationship=link["relationship"], priority=link["priority"],
                    parental_responsibility=link["parental_responsibility"],
                    may_receive_reports=link["may_receive_reports"], start_date=on)
        for link in writes.links
    )
    GroupMembership.objects.bulk_create(
        GroupMembership(institution=institution, group_id=resolve(row["group"], groups),
                        learner_id=resolve(row["person"], learners), start_date=row["start_date"],
                        end_date=row["end_date"])
        for row in writes.memberships
    )
    GroupStaff.objects.bulk_create(
        GroupStaff(institution=institution, group_id=resolve(row["group"], groups), person_id=resolve(row["person"], {}),
                   role=row["role"], start_date=row["start_date"], end_date=row["end_date"])
        for row in writes.group_staff
    )
    created = sorted(learners.values())
    counts = plan.counts()
    detail = {kind: {action: n for action, n in kind_counts.items() if n} for kind, kind_counts in counts.items()}
    audit.record(actor, "import.oneroster", institution, institution_id=institution.pk, detail=detail)
    audit.record_for_learners(actor, "import.learner", institution, created, institution_id=institution.pk,
                              detail={"via": "oneroster"})
    audit.record_for_learners(actor, "import.learner_changed", institution,
                              sorted(writes.touched_learners - set(created)), institution_id=institution.pk,
                              detail={"via": "oneroster"})
    return created


def problem_lines(error: OneRosterError) -> list[str]:
    """The problems as sentences, each naming its file, line and column."""
    lines = [str(problem) for problem in error.problems]
    if error.total > len(error.problems):
        lines.append(f"… and {error.total - len(error.problems)} more problems")
    return lines


__all__ = [
    "ExportRefused",
    "Item",
    "RosterImportReport",
    "RosterPlan",
    "grade_nc_year",
    "nc_year_grade",
    "problem_lines",
    "roster_build",
    "roster_export",
    "roster_import",
    "roster_preview",
]

