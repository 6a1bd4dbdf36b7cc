"""The demo generator, on the ``tiny`` size: valid identifiers, tenant consistency, families, accounts.

The suite's database already holds the persona world, so each test builds with ``reset=True``
inside its own transaction; the world comes back when the test's transaction rolls back.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Exists, F, OuterRef, Q

from commonroom.authz.actor import Actor
from commonroom.authz.models import Role, RoleAssignment
from commonroom.common.dates import in_force, today
from commonroom.demo.generator import DEMO_ACCOUNTS, DemoDataExists, DemoResult, build, demo_password
from commonroom.identity.models import User
from commonroom.organisations.models import AcademicYear, Institution, LocalAuthority, Term
from commonroom.people.identifiers import uln_problem, upn_problem
from commonroom.people.models import ContactLink, Enrolment, Group, GroupMembership, GroupStaff, Learner, Person

pytestmark = pytest.mark.django_db

ROLES = [
    "learner",
    "parent",
    "teacher",
    "form tutor",
    "SENCO",
    "head",
    "school office",
    "local-authority officer",
    "platform administrator",
    "barred parent",
    "governor",
    "ICT Mark assessor",
]


def tiny(seed: int = 2026) -> DemoResult:
    return build("tiny", seed, reset=True)


def person_of(username: str) -> Person:
    person = User.objects.select_related("person").get(username=username).person
    assert person is not None
    return person


def age(dob: datetime.date, on: datetime.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def test_every_upn_and_uln_is_valid_and_unique() -> None:
    tiny()
    learners = list(Learner.objects.select_related("person"))
    assert len(learners) > 40
    upns = [learner.upn for learner in learners]
    assert all(upn and upn_problem(upn) is None for upn in upns)
    assert len(set(upns)) == len(upns)
    ulns = [learner.uln for learner in learners if learner.uln]
    assert ulns and all(uln_problem(uln) is None for uln in ulns)
    assert len(set(ulns)) == len(ulns)
    for learner in learners:
        assert learner.person.date_of_birth is not None
        if age(learner.person.date_of_birth, today()) >= 14:
            assert learner.uln, learner


def test_same_seed_same_data_and_another_seed_differs() -> None:
    def snapshot() -> list[tuple[str | None, str, str]]:
        return list(Learner.objects.order_by("upn").values_list("upn", "person__given_name", "person__family_name"))

    first = tiny(7)
    before = snapshot()
    second = tiny(7)
    assert snapshot() == before
    assert first.password == second.password == demo_password(7)
    assert first.counts == second.counts
    tiny(8)
    assert snapshot() != before


def test_build_refuses_to_overwrite_without_reset() -> None:
    tiny()
    with pytest.raises(DemoDataExists):
        build("tiny")


def test_every_child_row_belongs_to_its_parents_institution() -> None:
    tiny()
    assert not GroupMembership.objects.exclude(group__institution=F("institution")).exists()
    assert not GroupStaff.objects.exclude(group__institution=F("institution")).exists()
    assert not Group.objects.exclude(academic_year__institution=F("institution")).exists()
    assert not Group.objects.filter(year_group__isnull=False).exclude(year_group__institution=F("institution")).exists()
    assert not Term.objects.exclude(academic_year__institution=F("institution")).exists()
    # A learner's groups are at the institution they are enrolled at.
    enrolled_there = Enrolment.objects.filter(
        learner_id=OuterRef("learner_id"), institution_id=OuterRef("institution_id")
    )
    assert GroupMembership.objects.exists()
    assert not GroupMembership.objects.exclude(Exists(enrolled_there)).exists()


def test_institutions_years_and_groups() -> None:
    result = tiny()
    authority = LocalAuthority.objects.get()
    assert "(demo)" in authority.name
    institutions = list(Institution.objects.all())
    assert {i.kind for i in institutions} == {"primary", "secondary", "special", "fe_college"}
    prefixes = {"primary": "2", "secondary": "4", "special": "7", "fe_college": "8"}
    for institution in institutions:
        institution.full_clean()
        assert institution.local_authority == authority and institution.la_number == authority.la_number
        assert institution.estab_number.startswith(prefixes[institution.kind])
        year = AcademicYear.objects.get(institution=institution)
        assert year.start_date <= today() <= year.end_date
        assert year.start_date.month == 9 and year.start_date.day == 1
        assert Term.objects.filter(academic_year=year).count() == 3
    for kind in (Group.Kind.REGISTRATION, Group.Kind.TEACHING):
        assert Group.objects.filter(kind=kind).count() > 0
    assert not Group.objects.filter(kind=Group.Kind.REGISTRATION, year_group__isnull=True).exists()
    assert result.counts["learners"] == Learner.objects.count()


def test_every_learner_is_enrolled_grouped_and_has_contacts() -> None:
    tiny()
    for learner in Learner.objects.all():
        enrolments = list(Enrolment.objects.filter(in_force(), learner=learner))
        assert len(enrolments) == 1 and enrolments[0].kind == Enrolment.Kind.MAIN
        kinds = list(GroupMembership.objects.filter(in_force(), learner=learner).values_list("group__kind", flat=True))
        assert kinds.count("year") == 1 and kinds.count("registration") == 1 and kinds.count("teaching") >= 1
        contacts = ContactLink.objects.filter(learner=learner, access_barred=False).count()
        assert 1 <= contacts <= 2
    for group in Group.objects.filter(kind__in=[Group.Kind.REGISTRATION, Group.Kind.TEACHING]):
        wanted = "tutor" if group.kind == Group.Kind.REGISTRATION else "teacher"
        assert GroupStaff.objects.filter(in_force(), group=group, role=wanted).exists(), group
    secondary_years = Group.objects.filter(kind=Group.Kind.YEAR, institution__kind="secondary")
    assert all(GroupStaff.objects.filter(group=g, role="head_of_year").exists() for g in secondary_years)
    emails = Person.objects.exclude(email="").values_list("email", flat=True)
    assert all(email.endswith(("@example.org", ".example.net")) for email in emails)
    phones = Person.objects.exclude(phone="").values_list("phone", flat=True)
    assert all(phone.startswith("07700 900") for phone in phones)


def test_exactly_one_barred_parent_who_sees_nothing() -> None:
    tiny()
    barred = ContactLink.objects.get(access_barred=True)
    assert ContactLink.objects.filter(learner=barred.learner, access_barred=False).exists()
    assert not ContactLink.objects.filter(contact=barred.contact, access_barred=False).exists()
    assert barred.contact == person_of("demo.barred")
    assert Actor(person_id=barred.contact_id, label="barred").cared_for_learner_ids == frozenset()


def test_families_share_contacts_across_institutions() -> None:
    tiny()
    parent = person_of("demo.parent")
    children = Actor(person_id=parent.pk, label="parent").cared_for_learner_ids
    assert len(children) >= 2
    institutions = set(
        Enrolment.objects.filter(in_force(), learner_id__in=children).values_list("institution", flat=True)
    )
    assert len(institutions) == 2
    # Some families have more than one child.
    per_contact = ContactLink.objects.values_list("contact_id", "learner_id")
    counts: dict[int, int] = {}
    for contact_id, _learner_id in per_contact:
        counts[contact_id] = counts.get(contact_id, 0) + 1
    assert any(count > 1 for count in counts.values())


def test_each_demo_account_holds_its_role() -> None:
    tiny()
    assert User.objects.filter(username__in=list(DEMO_ACCOUNTS)).count() == len(DEMO_ACCOUNTS)
    for user in User.objects.filter(username__in=list(DEMO_ACCOUNTS)):
        assert user.check_password(demo_password(2026))
        assert user.email == f"{user.username}@example.org"

    learner = Learner.objects.get(person=person_of("demo.learner"))
    assert learner.uln and learner.person.date_of_birth
    assert age(learner.person.date_of_birth, today()) >= 14
    assert Enrolment.objects.filter(in_force(), learner=learner, institution__kind="secondary").exists()

    tutor = person_of("demo.tutor")
    assert GroupStaff.objects.filter(in_force(), person=tutor, role="tutor", group__kind="registration").exists()
    assert GroupStaff.objects.filter(in_force(), person=tutor, group__institution__kind="secondary").exists()

    teacher = person_of("demo.teacher")
    rows = GroupStaff.objects.filter(in_force(), person=teacher)
    assert rows.filter(role="teacher", group__kind="teaching", group__institution__kind="secondary").count() >= 2
    assert not rows.exclude(role="teacher").exists()

    for username, role in (("demo.senco", Role.SENCO), ("demo.head", Role.HEAD)):
        assert RoleAssignment.objects.filter(
            in_force(), person=person_of(username), role=role, institution__kind="secondary"
        ).exists()
    assert RoleAssignment.objects.filter(
        in_force(), person=person_of("demo.officer"), role=Role.LA_OFFICER, local_authority__isnull=False
    ).exists()
    assert RoleAssignment.objects.filter(
        Q(institution__isnull=True, local_authority__isnull=True),
        person=person_of("demo.admin"),
        role=Role.PLATFORM_ADMIN,
    ).exists()
    assert RoleAssignment.objects.filter(
        in_force(), person=person_of("demo.governor"), role=Role.GOVERNOR, institution__kind="secondary").exists()
    assert RoleAssignment.objects.filter(
        in_force(), person=person_of("demo.assessor"), role=Role.ASSESSOR, local_authority__isnull=False).exists()


def test_command_writes_the_accounts_file_and_reuses_existing_data(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    out = io.StringIO()
    call_command("demo", size="tiny", reset=True, accounts_file=str(path), stdout=out)
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["role", "username", "password", "institution"]
    assert [row[0] for row in rows[1:]] == ROLES
    assert [row[1] for row in rows[1:]] == list(DEMO_ACCOUNTS)
    assert all(row[2] == demo_password(2026) and row[3] for row in rows[1:])
    assert "demo.learner" in out.getvalue()

    people = Person.objects.count()
    path.unlink()
    out = io.StringIO()
    call_command("demo", size="tiny", seed=99, accounts_file=str(path), stdout=out)
    assert Person.objects.count() == people
    assert "keeping it" in out.getvalue()
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == len(DEMO_ACCOUNTS) + 1 and all(row[2] == demo_password(99) for row in rows[1:])
    assert User.objects.get(username="demo.head").check_password(demo_password(99))
