"""Two rules that the persona world alone does not exercise fully.

- A barred relationship wins over every route: a member of staff, an officer or a teacher who is
  also barred from a learner (a court order) reaches nothing of that learner.
- Learners due to join: whole-institution staff, and office staff who may change records, see a
  learner whose enrolment starts later (September starters enrolled in July); teachers and
  officers do not until the enrolment is in force.
Each case also asserts that every people rule's check and filter agree on the rows it touches.
"""

from __future__ import annotations

import datetime

import pytest

from commonroom.authz.api import NotFound, can, get_for, visible
from commonroom.authz.registry import registered
from commonroom.common.dates import today
from commonroom.people.models import ContactLink, Enrolment, GroupMembership, Learner, Person
from commonroom.people.services import contact_add, learner_enrol

PEOPLE_MODELS = (Learner, Enrolment, GroupMembership, ContactLink)


def bar(world, persona: str, learner: str, *, end_date: datetime.date | None = None) -> ContactLink:
    return ContactLink.objects.create(
        learner=world.learners[learner], contact=world.people[persona], relationship=ContactLink.Relationship.FATHER,
        priority=5, access_barred=True, start_date=today() - datetime.timedelta(days=10), end_date=end_date,
    )  # fmt: skip


def assert_rules_agree(world, persona: str) -> None:
    actor = world.actor(persona)
    for (model, action), rule in registered().items():
        if model not in PEOPLE_MODELS:
            continue
        filtered = set(model._default_manager.filter(rule.q(actor)).values_list("pk", flat=True))
        for obj in model._default_manager.all():
            assert rule.check(actor, obj) == (obj.pk in filtered), f"{persona}: {model.__name__}.{action} {obj.pk}"


def reaches_anything_of(world, persona: str, learner: Learner) -> list[str]:
    actor = world.actor(persona)
    reached = []
    if visible(actor, Learner).filter(pk=learner.pk).exists():
        reached.append("learner")
    for model in (Enrolment, GroupMembership, ContactLink):
        if visible(actor, model).filter(learner=learner).exists():
            reached.append(model.__name__)
    if can(actor, "change", learner):
        reached.append("change")
    return reached


# Barred relationships win.


def test_the_barred_teacher_in_the_world_reaches_nothing_of_the_child(world):
    learner = world.learners["a1.learnerA1"]
    assert reaches_anything_of(world, "a1.teacher2", learner) == []
    with pytest.raises(NotFound):
        get_for(world.actor("a1.teacher2"), Learner, learner.pk)
    # ... while still teaching the rest of the art group.
    assert visible(world.actor("a1.teacher2"), Learner).filter(pk=world.learners["a1.learnerA2"].pk).exists()
    assert visible(world.actor("a1.teacher2"), ContactLink).filter(learner=world.learners["a1.learnerA2"]).exists()


@pytest.mark.parametrize(
    ("persona", "learner"),
    [("a1.office", "a1.learnerB1"), ("a1.head", "a1.learnerB2"), ("a1.senco", "a1.learnerA2"),
     ("a1.tutor", "a1.learnerA2"), ("la1.officer", "a2.learnerA1"), ("a1.leader", "a1.learnerB1")],
)  # fmt: skip
def test_a_barred_relationship_wins_over_every_role(world, persona, learner):
    target = world.learners[learner]
    assert reaches_anything_of(world, persona, target), "the persona reaches the learner before the bar"
    bar(world, persona, learner)
    assert reaches_anything_of(world, persona, target) == []
    assert_rules_agree(world, persona)
    # Their colleagues are not affected.
    assert visible(world.actor("a1.dsl" if learner.startswith("a1") else "a2.dsl"), Learner).filter(pk=target.pk).exists()


def test_a_barred_office_member_cannot_add_a_contact_or_invite(world):
    bar(world, "a1.office", "a1.learnerA1")
    before = (Person.objects.count(), ContactLink.objects.count())
    with pytest.raises(NotFound):
        contact_add(actor=world.actor("a1.office"), learner=world.learners["a1.learnerA1"], given_name="Kim",
                    family_name="Other", relationship=ContactLink.Relationship.CARER)  # fmt: skip
    assert (Person.objects.count(), ContactLink.objects.count()) == before
    assert not can(world.actor("a1.office"), "invite", world.links["parent.a1>a1.learnerA1"])


def test_a_bar_that_has_ended_no_longer_bars(world):
    bar(world, "a1.office", "a1.learnerB1", end_date=today() - datetime.timedelta(days=1))
    assert "learner" in reaches_anything_of(world, "a1.office", world.learners["a1.learnerB1"])


# Learners due to join.


@pytest.fixture
def joiner(world) -> Learner:
    """A September starter: enrolled at a1, in form A and maths, from next month."""
    start = (today().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return learner_enrol(
        actor=world.actor("a1.office"), institution=world.institutions["a1"], given_name="Sept", family_name="Starter",
        date_of_birth=datetime.date(2015, 1, 2), start_date=start, groups=[world.groups["a1.formA"], world.groups["a1.maths"]],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("persona", "sees", "changes"),
    [("a1.office", True, True), ("a1.head", True, True), ("a1.leader", True, True), ("a1.senco", True, False),
     ("a1.dsl", True, False), ("a1.teacher", False, False), ("a1.tutor", False, False), ("la1.officer", False, False),
     ("b1.office", False, False), ("platform.admin", False, False), ("nobody", False, False)],
)  # fmt: skip
def test_whole_institution_staff_see_a_learner_due_to_join(world, joiner, persona, sees, changes):
    actor = world.actor(persona)
    assert visible(actor, Learner).filter(pk=joiner.pk).exists() is sees
    assert can(actor, "view", joiner) is sees
    assert visible(actor, Enrolment).filter(learner=joiner).exists() is sees
    assert can(actor, "change", joiner) is changes
    assert visible(actor, Learner, "change").filter(pk=joiner.pk).exists() is changes
    assert_rules_agree(world, persona)


def test_a_contact_can_be_added_to_a_learner_due_to_join(world, joiner):
    link = contact_add(actor=world.actor("a1.office"), learner=joiner, given_name="Pat", family_name="Starter",
                       relationship=ContactLink.Relationship.MOTHER)  # fmt: skip
    assert visible(world.actor("a1.senco"), ContactLink).filter(pk=link.pk).exists()
    assert can(world.actor("a1.office"), "invite", link)
