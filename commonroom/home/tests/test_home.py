"""Each role's home page shows that person's real data, in a number of queries that does not grow."""

from __future__ import annotations

import pytest

# SQL queries per home page once signed in (session, user, person, what the actor holds: 7 for
# everyone; then the page's own reads). Pinned: a change that adds a query must change this table.
# "What's coming up" (commonroom.calendar) costs a learner 9 (groups, schools, homework and hand-ins,
# events, school names, terms, closures) and a teacher 5 (homework, hand-in counts, class sizes, events, ...).
# Acceptable use (commonroom.safeguarding) costs 1 for anyone in a policy's audience (staff, learners on roll,
# parents): how many policies in force await their acceptance, for the notice.
HOME_QUERY_BUDGET = {
    "a1.learnerA1": 22,
    "parent.two": 12,
    "a1.teacher": 16,
    "a1.tutor": 16,
    "a1.senco": 11,
    "a1.head": 11,
    "la1.officer": 9,
    "platform.admin": 10,
    "nobody": 7,
}


def _home(client, world, persona: str, django_assert_max_num_queries) -> str:  # type: ignore[no-untyped-def]
    client.force_login(world.users[persona])
    client.get("/")  # the first request after sign-in also checks the second-factor requirement once
    with django_assert_max_num_queries(HOME_QUERY_BUDGET[persona]):
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_learner_sees_school_groups_and_teachers(client, world, django_assert_max_num_queries) -> None:
    page = _home(client, world, "a1.learnerA1", django_assert_max_num_queries)
    assert world.institutions["a1"].name in page
    for group in ("year10", "formA", "maths", "art"):
        assert world.groups[f"a1.{group}"].name in page
    assert world.people["a1.teacher"].full_name in page  # maths teacher
    assert world.people["a1.tutor"].full_name in page  # form tutor
    assert "An acceptable-use policy is waiting for you" in page  # a1's learners' version 2
    assert "/acceptable-use/" in page


def test_parent_sees_each_child_with_school_year_and_tutor(client, world, django_assert_max_num_queries) -> None:
    page = _home(client, world, "parent.two", django_assert_max_num_queries)
    for child, inst in (("a1.learnerA2", "a1"), ("b1.learnerA1", "b1")):
        assert world.people[child].full_name in page
        assert world.institutions[inst].name in page
        assert world.people[f"{inst}.tutor"].full_name in page
    assert world.people["a1.learnerA1"].full_name not in page


def test_barred_parent_sees_nothing_at_all(client, world) -> None:
    client.force_login(world.users["parent.barred"])
    page = client.get("/").content.decode()
    assert world.people["a1.learnerA1"].full_name not in page
    assert world.institutions["a1"].name not in page
    assert "Your children" not in page


@pytest.mark.parametrize("persona", ["a1.teacher", "a1.tutor"])
def test_teacher_sees_groups_with_counts_and_learners(client, world, persona, django_assert_max_num_queries) -> None:
    page = _home(client, world, persona, django_assert_max_num_queries)
    group = world.groups["a1.maths" if persona == "a1.teacher" else "a1.formA"]
    assert group.name in page
    members = {"a1.teacher": ["a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "a1.learnerB2"],
               "a1.tutor": ["a1.learnerA1", "a1.learnerA2"]}[persona]
    assert f">{len(members)}</td>" in page  # the learner count
    for learner in members:
        assert f"/learners/{world.learners[learner].pk}/" in page
    if persona == "a1.tutor":
        assert f"/learners/{world.learners['a1.learnerB1'].pk}/" not in page


@pytest.mark.parametrize("persona", ["a1.senco", "a1.head"])
def test_leaders_see_year_groups_and_staff_by_role(client, world, persona, django_assert_max_num_queries) -> None:
    page = _home(client, world, persona, django_assert_max_num_queries)
    assert world.groups["a1.year10"].name in page
    assert ">4</td>" in page  # four learners on roll in year 10 (the leaver has left)
    for staff in ("a1.head", "a1.senco", "a1.office"):
        assert world.people[staff].full_name in page
    assert world.institutions["b1"].name not in page


def test_officer_sees_authority_institutions_by_phase(client, world, django_assert_max_num_queries) -> None:
    page = _home(client, world, "la1.officer", django_assert_max_num_queries)
    assert world.authorities["la1"].name in page
    assert world.institutions["a1"].name in page and world.institutions["a2"].name in page
    assert world.institutions["b1"].name not in page
    assert "Secondary" in page and "Primary" in page


def test_platform_admin_gets_organisation_and_account_management(client, world, django_assert_max_num_queries) -> None:
    page = _home(client, world, "platform.admin", django_assert_max_num_queries)
    assert "/manage/" in page and "/manage/accounts/" in page
    assert world.people["a1.learnerA1"].full_name not in page


def test_account_without_links_is_told_how_to_add_a_child(client, world, django_assert_max_num_queries) -> None:
    page = _home(client, world, "nobody", django_assert_max_num_queries)
    assert "/account/add-child/" in page


def test_query_count_does_not_grow_with_more_learners(client, world, django_assert_max_num_queries) -> None:
    """Add twenty learners to the teacher's group: the home page's query count stays within budget."""
    from commonroom.common.dates import today
    from commonroom.people.identifiers import make_upn
    from commonroom.people.models import Enrolment, GroupMembership, Learner, Person

    group = world.groups["a1.maths"]
    for serial in range(20):
        person = Person.objects.create(given_name=f"Extra{serial}", family_name="Learner")
        learner = Learner.objects.create(person=person, upn=make_upn("801", "4001", 21, serial))
        Enrolment.objects.create(institution=group.institution, learner=learner, start_date=today())
        GroupMembership.objects.create(institution=group.institution, group=group, learner=learner, start_date=today())
    page = _home(client, world, "a1.teacher", django_assert_max_num_queries)
    assert ">24</td>" in page


def test_form_tutor_is_a_dash_when_the_form_has_staff_but_no_tutor(client, world) -> None:
    """b1's form A has an assistant but no tutor: the parent and the learner see "–", not a blank."""
    from commonroom.people.models import GroupStaff

    GroupStaff.objects.filter(group=world.groups["b1.formA"], role=GroupStaff.Role.TUTOR).update(
        role=GroupStaff.Role.ASSISTANT
    )
    client.force_login(world.users["parent.two"])
    page = client.get("/").content.decode()
    cards = page.split('class="govuk-summary-card"')[1:]
    b1_card = next(card for card in cards if world.people["b1.learnerA1"].full_name in card)
    a1_card = next(card for card in cards if world.people["a1.learnerA2"].full_name in card)
    tutor_cell = b1_card.split("Form tutor</dt>")[1].split("</dd>")[0]
    assert tutor_cell.strip().endswith(">–"), tutor_cell
    assert world.people["b1.tutor"].full_name not in b1_card
    assert f"{world.people['a1.tutor'].full_name} ({world.groups['a1.formA'].name})" in a1_card

    client.force_login(world.users["b1.learnerA1"])
    page = client.get("/").content.decode()
    assert f"{world.groups['b1.formA'].name} (tutor: –)" in page


def test_governors_and_assessors_reach_self_review_and_parent_governors_keep_their_children(client, world) -> None:
    import datetime

    from commonroom.authz.models import Role, RoleAssignment

    for persona in ("a1.governor", "la1.assessor"):
        client.force_login(world.users[persona])
        assert 'href="/self-review/"' in client.get("/").content.decode(), persona
    RoleAssignment.objects.create(person=world.people["parent.a1"], role=Role.GOVERNOR,
                                  institution=world.institutions["a1"], start_date=datetime.date(2020, 1, 1))
    client.force_login(world.users["parent.a1"])
    page = client.get("/").content.decode()
    assert 'href="/children/"' in page and 'href="/self-review/"' in page
