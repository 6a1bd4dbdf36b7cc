"""OneRoster exchange: a school's roster out of Commonroom and back in, through the authz layer."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonroom.authz.api import NotFound, visible
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import today
from commonroom.interop.oneroster import OneRosterError, UserId, read_roster, write_roster
from commonroom.interop.oneroster_exchange import (
    RosterPlan,
    grade_nc_year,
    nc_year_grade,
    person_sid,
    roster_export,
    roster_import,
    roster_preview,
)
from commonroom.people.identifiers import make_uln, make_upn
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, GroupStaff, Learner, Person

NOW = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


def files_of(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
            for name in archive.namelist()
        }


def export(world, persona: str = "a1.office", inst: str = "a1") -> tuple[str, bytes]:
    return roster_export(actor=world.actor(persona), institution=world.institutions[inst])


def for_school(world, data: bytes, inst: str, *, fresh_identifiers: bool = True, **changes) -> bytes:
    """The package rewritten for another school: its school org gets that school's URN (a package is for
    one school), and (by default) its learners new UPNs and ULNs, since national identifiers are unique
    in all of Commonroom and the originals belong to learners still on roll where they came from."""
    roster = read_roster(data)
    target = world.institutions[inst]
    roster.orgs = [dataclasses.replace(org, identifier=target.urn) if org.type == "school" else org for org in roster.orgs]
    if fresh_identifiers:
        users = []
        for serial, user in enumerate(roster.users, start=100):
            if any(uid.type == "UPN" for uid in user.user_ids):
                upn = make_upn("802", "7001", 24, serial)
                uln = make_uln(200000000 + serial * 7919) or make_uln(200000001 + serial * 7919)
                user = dataclasses.replace(user, user_ids=(UserId("UPN", upn), UserId("ULN", uln)), identifier=upn)
            users.append(user)
        roster.users = users
    for attr, change in changes.items():
        setattr(roster, attr, change(getattr(roster, attr)))
    return write_roster(roster, generated_at=NOW)


def counts_of(inst) -> dict[str, int]:
    return {
        "groups": Group.objects.filter(institution=inst).count(),
        "enrolments": Enrolment.objects.filter(institution=inst).count(),
        "memberships": GroupMembership.objects.filter(institution=inst).count(),
        "group_staff": GroupStaff.objects.filter(institution=inst).count(),
        "people": Person.objects.count(),
        "links": ContactLink.objects.count(),
    }


# ---- Export


def test_export_of_a1_as_the_office(world) -> None:
    name, data = export(world)
    assert name == f"oneroster-100001-{today().isoformat()}.zip"
    files = files_of(data)
    assert {"manifest", "orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments",
            "demographics"} <= set(files)
    orgs = {row["type"]: row for row in files["orgs"]}
    assert orgs["school"]["identifier"] == "100001" and orgs["school"]["parentSourcedId"] == orgs["district"]["sourcedId"]
    assert orgs["district"]["identifier"] == "801"
    sessions = {row["type"] for row in files["academicSessions"]}
    assert sessions == {"schoolYear", "term"}
    users = {row["sourcedId"]: row for row in files["users"]}
    for who in ("learnerA1", "learnerA2", "learnerB1", "learnerB2"):
        learner = world.learners[f"a1.{who}"]
        row = users[person_sid(learner.pk)]
        assert f"{{UPN:{learner.upn}}}" in row["userIds"] and f"{{ULN:{learner.uln}}}" in row["userIds"]
        assert row["identifier"] == learner.upn and row["grades"] == "09"
    # The leaver's enrolment has ended: nobody at the school sees them, so they are left out.
    assert person_sid(world.learners["a1.leaver"].pk) not in users
    assert not any(row["sourcedId"] == person_sid(world.learners["b1.learnerA1"].pk) for row in files["users"])
    # Contacts: parent.a1 is there, linked both ways; the barred links (parent.barred, a1.teacher2) are not.
    a1 = person_sid(world.learners["a1.learnerA1"].pk)
    parent = person_sid(world.people["parent.a1"].pk)
    assert users[parent]["agentSourcedIds"] == a1 and users[a1]["agentSourcedIds"] == parent
    assert person_sid(world.people["parent.barred"].pk) not in users
    teacher2 = person_sid(world.people["a1.teacher2"].pk)
    assert users[teacher2]["agentSourcedIds"] == ""
    roles = {(row["userSourcedId"], row["role"]): row for row in files["roles"]}
    assert (teacher2, "teacher") in roles and (teacher2, "parent") not in roles
    assert roles[(person_sid(world.people["a1.head"].pk), "principal")]["roleType"] == "primary"
    assert roles[(person_sid(world.people["a1.office"].pk), "siteAdministrator")]["roleType"] == "primary"
    assert roles[(parent, "parent")]["roleType"] == "primary"
    primaries = [row["userSourcedId"] for row in files["roles"] if row["roleType"] == "primary"]
    assert len(primaries) == len(set(primaries)) == len(users)
    # Classes: teaching groups scheduled, registration groups homerooms; the year group is not a class.
    classes = {row["classCode"]: row for row in files["classes"]}
    assert set(classes) == {"10A", "10B", "10Ma1", "10Ar"}
    assert classes["10Ma1"]["classType"] == "scheduled" and classes["10A"]["classType"] == "homeroom"
    courses = {row["sourcedId"]: row for row in files["courses"]}
    assert courses[classes["10Ma1"]["courseSourcedId"]]["title"] == "Mathematics Y10"
    assert courses[classes["10Ma1"]["courseSourcedId"]]["subjects"] == "Mathematics"
    enrollments = {(row["userSourcedId"], row["classSourcedId"], row["role"]) for row in files["enrollments"]}
    assert (a1, classes["10Ma1"]["sourcedId"], "student") in enrollments
    teacher = person_sid(world.people["a1.teacher"].pk)
    assert (teacher, classes["10Ma1"]["sourcedId"], "teacher") in enrollments
    tutor = person_sid(world.people["a1.tutor"].pk)
    assert (tutor, classes["10A"]["sourcedId"], "teacher") in enrollments
    assert {row["sourcedId"] for row in files["demographics"]} == {
        person_sid(world.learners[f"a1.{who}"].pk) for who in ("learnerA1", "learnerA2", "learnerB1", "learnerB2")}


def test_the_export_is_audited(world) -> None:
    office = world.people["a1.office"]
    export(world)
    assert AuditEvent.objects.filter(action="export.oneroster", actor=office).count() == 1
    read = set(AuditEvent.objects.filter(action="read.oneroster_export", actor=office).values_list("learner_id", flat=True))
    assert read == {world.learners[f"a1.{who}"].pk for who in ("learnerA1", "learnerA2", "learnerB1", "learnerB2")}


def test_sex_is_mapped_to_the_oneroster_vocabulary(world) -> None:
    for who, sex in (("learnerA1", "F"), ("learnerA2", "M"), ("learnerB1", "U")):
        Person.objects.filter(pk=world.learners[f"a1.{who}"].pk).update(sex=sex)
    rows = {row["sourcedId"]: row for row in files_of(export(world)[1])["demographics"]}
    sexes = {who: rows[person_sid(world.learners[f"a1.{who}"].pk)]["sex"] for who in ("learnerA1", "learnerA2",
                                                                                       "learnerB1", "learnerB2")}
    assert sexes == {"learnerA1": "female", "learnerA2": "male", "learnerB1": "unspecified", "learnerB2": ""}


def test_a_learner_the_actor_is_barred_from_is_left_out(world) -> None:
    barred = world.learners["a1.learnerA1"]
    ContactLink.objects.create(learner=barred, contact=world.people["a1.office"], relationship="other",
                               access_barred=True, start_date=today() - datetime.timedelta(days=1))
    files = files_of(export(world)[1])
    sid = person_sid(barred.pk)
    assert sid not in {row["sourcedId"] for row in files["users"]}
    assert sid not in {row["userSourcedId"] for row in files["enrollments"]}
    assert sid not in {row["sourcedId"] for row in files["demographics"]}
    # parent.a1's only child here is the one the office may not see, so they are not there either.
    assert person_sid(world.people["parent.a1"].pk) not in {row["sourcedId"] for row in files["users"]}
    assert not AuditEvent.objects.filter(action="read.oneroster_export", learner=barred).exists()


@pytest.mark.parametrize("persona", ["a1.teacher", "a1.tutor", "a1.senco", "a1.dsl", "b1.office", "la1.officer",
                                     "parent.a1", "a1.learnerA1", "platform.admin", "nobody"])
def test_only_the_schools_office_and_leaders_export(world, persona: str) -> None:
    with pytest.raises(NotFound):
        export(world, persona)
    assert not AuditEvent.objects.filter(action="export.oneroster").exists()


@pytest.mark.parametrize("persona", ["a1.head", "a1.leader", "a1.office"])
def test_the_head_leaders_and_office_export(world, persona: str) -> None:
    assert files_of(export(world, persona)[1])["users"]


def _add_learners(world, inst: str, count: int, first_serial: int) -> None:
    """``count`` more learners at ``inst``, each in form A and maths, with a parent."""
    institution = world.institutions[inst]
    start = today() - datetime.timedelta(days=10)
    people = Person.objects.bulk_create(
        Person(given_name=f"Extra{n}", family_name="Learner", date_of_birth=datetime.date(2011, 1, 1))
        for n in range(count)
    )
    Learner.objects.bulk_create(
        Learner(person=person, upn=make_upn("801", "4001", 21, first_serial + n)) for n, person in enumerate(people)
    )
    Enrolment.objects.bulk_create(Enrolment(institution=institution, learner_id=p.pk, start_date=start) for p in people)
    GroupMembership.objects.bulk_create(
        GroupMembership(institution=institution, group=world.groups[f"{inst}.{group}"], learner_id=p.pk, start_date=start)
        for p in people for group in ("formA", "maths")
    )
    parents = Person.objects.bulk_create(Person(given_name=f"Parent{n}", family_name="Learner") for n in range(count))
    ContactLink.objects.bulk_create(
        ContactLink(learner_id=child.pk, contact=parent, relationship="mother", start_date=start)
        for child, parent in zip(people, parents, strict=True)
    )


def test_the_export_takes_the_same_queries_however_many_learners(world, django_assert_max_num_queries) -> None:
    """Each export starts cold, as a request does: a new actor and the institution fetched afresh."""
    from commonroom.organisations.models import Institution

    def cold_export() -> bytes:
        institution = Institution.objects.get(pk=world.institutions["a1"].pk)
        return roster_export(actor=world.actor("a1.office"), institution=institution)[1]

    with CaptureQueriesContext(connection) as small:
        cold_export()
    _add_learners(world, "a1", 40, 500)
    with django_assert_max_num_queries(17), CaptureQueriesContext(connection) as large:
        data = cold_export()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(files_of(data)["users"]) > 40


# ---- Import


def _science_at(world, inst: str = "a1") -> Group:
    """A teaching group that exists at ``inst`` only, taught by its teacher, with form A in it."""
    maths = world.groups[f"{inst}.maths"]
    science = Group.objects.create(institution=maths.institution, academic_year=maths.academic_year,
                                   kind=Group.Kind.TEACHING, code="10Sc", name="10 Science", subject="Science", nc_year=10)
    start = today() - datetime.timedelta(days=20)
    GroupStaff.objects.create(institution=maths.institution, group=science, person=world.people[f"{inst}.teacher"],
                              role=GroupStaff.Role.TEACHER, start_date=start)
    for who in ("learnerA1", "learnerA2"):
        GroupMembership.objects.create(institution=maths.institution, group=science,
                                       learner=world.learners[f"{inst}.{who}"], start_date=start)
    return science


def test_round_trip_a1_to_b2(world) -> None:
    _science_at(world)
    package = for_school(world, export(world)[1], "b2")
    b2, office = world.institutions["b2"], world.actor("b2.office")
    before = counts_of(b2)

    plan = roster_preview(actor=office, institution=b2, data=package)
    assert counts_of(b2) == before, "a preview writes nothing"
    counts = plan.counts()
    assert counts["classes"] == {"created": 1, "updated": 0, "unchanged": 4, "skipped": 0}
    assert counts["learners"]["created"] == 4
    assert counts["contacts"]["created"] == 2
    assert counts["staff"]["skipped"] == 8 and counts["staff"]["unchanged"] == 0

    report = roster_import(actor=office, institution=b2, data=package)
    assert report.counts() == counts
    science = Group.objects.get(institution=b2, code="10Sc")
    assert (science.kind, science.subject, science.nc_year, science.name) == ("teaching", "Science", 10, "10 Science")
    roster = read_roster(package)
    upns = [next(uid.identifier for uid in user.user_ids if uid.type == "UPN") for user in roster.users if user.user_ids]
    learners = {learner.upn: learner for learner in Learner.objects.filter(upn__in=upns).select_related("person")}
    assert len(learners) == 4
    for learner in learners.values():
        assert Enrolment.objects.get(learner=learner).institution == b2
        assert learner.uln and learner.person.date_of_birth is not None
    a1_copy = next(learner for learner in learners.values() if learner.person.given_name == "Learnera1")
    assert set(GroupMembership.objects.filter(learner=a1_copy).values_list("group__code", flat=True)) == {
        "10A", "10Ma1", "10Ar", "10Sc"}
    assert GroupMembership.objects.get(learner=a1_copy, group__code="10Ma1").group == world.groups["b2.maths"]
    contact = ContactLink.objects.get(learner=a1_copy)
    assert (contact.contact.email, contact.relationship, contact.access_barred) == ("parent.a1@example.org", "parent", False)
    assert contact.contact != world.people["parent.a1"], "contacts are new people, never an existing account linked by email"
    # Staff are never created: a1's teachers are unknown at b2, and say so.
    skipped = {item.label: item.reason for item in report.skipped() if item.kind == "staff"}
    assert "no member of staff at" in skipped["Teacher A1-staff"] and "never creates staff" in skipped["Teacher A1-staff"]
    assert not GroupStaff.objects.filter(group=science).exists()
    # The school's own staff now see the new learners; the import is in the audit trail.
    head_sees = visible(world.actor("b2.head"), Learner).filter(pk__in=[learner.pk for learner in learners.values()])
    assert head_sees.count() == 4
    assert AuditEvent.objects.filter(action="import.oneroster", institution=b2).count() == 1
    assert AuditEvent.objects.filter(action="import.learner", learner=a1_copy).exists()

    # Again: nothing new.
    after = counts_of(b2)
    again = roster_import(actor=office, institution=b2, data=package)
    assert counts_of(b2) == after
    assert all(count["created"] == 0 and count["updated"] == 0 for count in again.counts().values()), again.counts()


def test_an_export_imported_into_its_own_school_changes_nothing(world) -> None:
    a1 = world.institutions["a1"]
    before = counts_of(a1)
    report = roster_import(actor=world.actor("a1.office"), institution=a1, data=export(world)[1])
    assert counts_of(a1) == before
    assert report.total_created == report.total_updated == report.total_skipped == 0
    assert report.counts()["staff"]["unchanged"] == 8


def test_teachers_are_matched_by_email_or_skipped_with_the_reason(world) -> None:
    _science_at(world)
    teacher = person_sid(world.people["a1.teacher"].pk)

    def rename(users):
        return [dataclasses.replace(user, email="B2.Teacher@example.org") if user.sourced_id == teacher else user
                for user in users]

    package = for_school(world, export(world)[1], "b2", users=rename)
    report = roster_import(actor=world.actor("b2.office"), institution=world.institutions["b2"], data=package)
    staff = {item.sourced_id: item for item in report.items if item.kind == "staff"}
    assert staff[teacher].action == "unchanged" and "matched to Teacher B2-staff" in staff[teacher].reason
    tutor = staff[person_sid(world.people["a1.tutor"].pk)]
    assert tutor.action == "skipped" and "a1.tutor@example.org" in tutor.reason
    science = Group.objects.get(institution=world.institutions["b2"], code="10Sc")
    assert GroupStaff.objects.get(group=science).person == world.people["b2.teacher"]
    # b2.teacher already teaches b2's maths: that enrollment is already in place.
    assert GroupStaff.objects.filter(group=world.groups["b2.maths"], person=world.people["b2.teacher"]).count() == 1
    enrollments = [item for item in report.items if item.kind == "enrollments" and item.label.startswith("Tutor")]
    assert enrollments and all("not matched to staff here" in item.reason for item in enrollments)


def test_learners_already_in_commonroom_elsewhere_are_not_moved(world) -> None:
    """The a1 package with only its school changed: the UPNs belong to a1's learners, so b2 may not take them."""
    b2 = world.institutions["b2"]
    before = counts_of(b2)
    package = for_school(world, export(world)[1], "b2", fresh_identifiers=False)
    report = roster_import(actor=world.actor("b2.office"), institution=b2, data=package)
    learners = [item for item in report.items if item.kind == "learners"]
    assert len(learners) == 4 and all(item.action == "skipped" and "not on roll here" in item.reason for item in learners)
    assert not Enrolment.objects.filter(institution=b2, learner=world.learners["a1.learnerA1"]).exists()
    assert counts_of(b2) == before


def test_a_package_for_another_school_is_refused(world) -> None:
    b2 = world.institutions["b2"]
    before = counts_of(b2)
    with pytest.raises(OneRosterError) as caught:
        roster_import(actor=world.actor("b2.office"), institution=b2, data=export(world)[1])
    [problem] = caught.value.problems
    assert problem.file == "orgs.csv" and problem.column == "identifier"
    assert "this package is for another school" in problem.message and "100004" in problem.message
    assert counts_of(b2) == before


def _bad_upn(users):
    return [dataclasses.replace(user, user_ids=(UserId("UPN", "B123456789012"),)) if user.user_ids and
            user.given_name == "Learnerb1" else user for user in users]


def test_a_bad_row_refuses_the_package_and_names_it(world) -> None:
    b2 = world.institutions["b2"]
    before = counts_of(b2)
    package = for_school(world, export(world)[1], "b2", users=_bad_upn)
    with pytest.raises(OneRosterError) as caught:
        roster_import(actor=world.actor("b2.office"), institution=b2, data=package)
    [problem] = caught.value.problems
    line = next(n for n, row in enumerate(files_of(package)["users"], start=2) if row["givenName"] == "Learnerb1")
    assert (problem.file, problem.line, problem.column) == ("users.csv", line, "userIds")
    assert "check letter" in problem.message
    assert counts_of(b2) == before


def test_a_row_the_reader_refuses_names_its_file_line_and_column(world) -> None:
    package = for_school(world, export(world)[1], "b2")
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        members = {name: archive.read(name).decode() for name in archive.namelist()}
    members["classes.csv"] = members["classes.csv"].replace(",scheduled,", ",set,", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    b2 = world.institutions["b2"]
    before = counts_of(b2)
    with pytest.raises(OneRosterError) as caught:
        roster_import(actor=world.actor("b2.office"), institution=b2, data=buffer.getvalue())
    assert any(p.file == "classes.csv" and p.line and p.column == "classType" for p in caught.value.problems)
    assert counts_of(b2) == before


def test_two_students_with_one_uln_are_a_problem(world) -> None:
    def same_uln(users):
        students = [user for user in users if user.user_ids]
        uln = next(uid for uid in students[0].user_ids if uid.type == "ULN")
        return [dataclasses.replace(user, user_ids=(user.user_ids[0], uln)) if user is students[1] else user
                for user in users]

    package = for_school(world, export(world)[1], "b2", users=same_uln)
    with pytest.raises(OneRosterError) as caught:
        roster_preview(actor=world.actor("b2.office"), institution=world.institutions["b2"], data=package)
    [problem] = caught.value.problems
    assert (problem.file, problem.column) == ("users.csv", "userIds") and "is also the ULN of user" in problem.message


def test_a_class_code_too_long_for_a_group_is_a_problem(world) -> None:
    def long_codes(classes):
        return [dataclasses.replace(cls, class_code="X" * 21) if cls.class_code == "10Ar" else cls for cls in classes]

    package = for_school(world, export(world)[1], "b2", classes=long_codes)
    with pytest.raises(OneRosterError) as caught:
        roster_preview(actor=world.actor("b2.office"), institution=world.institutions["b2"], data=package)
    [problem] = caught.value.problems
    assert (problem.file, problem.column) == ("classes.csv", "classCode") and problem.line is not None


@pytest.mark.parametrize("persona", ["b2.teacher", "b1.office", "a1.office", "la2.officer", "platform.admin"])
def test_only_the_schools_office_and_leaders_import(world, persona: str) -> None:
    package = for_school(world, export(world)[1], "b2")
    with pytest.raises(NotFound):
        roster_preview(actor=world.actor(persona), institution=world.institutions["b2"], data=package)


def test_the_nc_year_grade_mapping_goes_both_ways() -> None:
    for nc_year in range(-1, 15):
        grade = nc_year_grade(nc_year)
        assert grade is not None and grade_nc_year(grade) == nc_year, (nc_year, grade)
    assert (nc_year_grade(10), nc_year_grade(1), nc_year_grade(0)) == ("09", "KG", "PK")
    assert grade_nc_year("Other") is None


def test_a_plan_counts_every_kind() -> None:
    plan = RosterPlan(institution=None)  # type: ignore[arg-type]
    plan.add("learners", "created", "u1", "Ann")
    plan.add("learners", "skipped", "u2", "Bob", "why")
    assert plan.counts()["learners"] == {"created": 1, "updated": 0, "unchanged": 0, "skipped": 1}
    assert [item.sourced_id for item in plan.skipped()] == ["u2"]
    assert [kind for kind, _label, _counts in plan.summary()] == ["learners"]
