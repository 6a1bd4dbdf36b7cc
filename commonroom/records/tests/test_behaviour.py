"""Incidents and rewards over the persona world."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonroom.authz.api import NotFound, can, visible
from commonroom.authz.models import AuditEvent
from commonroom.common.dates import today
from commonroom.records import selectors, services
from commonroom.records.models import BehaviourCategory, Incident, IncidentLearner, Reward


@pytest.fixture
def categories(world):
    inst = world.institutions["a1"]
    return {
        "disruption": BehaviourCategory.objects.create(institution=inst, kind="incident", name="Disruption", points=3),
        "merit": BehaviourCategory.objects.create(institution=inst, kind="reward", name="Merit", points=2),
        "other_school": BehaviourCategory.objects.create(institution=world.institutions["b1"], kind="incident",
                                                         name="Disruption", points=3),
    }


def _incident(world, categories, persona="a1.teacher", involved=None, follow_up_owner_id=None):
    return services.incident_record(
        actor=world.actor(persona), institution=world.institutions["a1"], category_id=categories["disruption"].pk,
        severity=2, occurred_at=timezone.now() - datetime.timedelta(hours=1), location="Room 12",
        description="Shouting during the test", action_taken="Spoke to both", follow_up_owner_id=follow_up_owner_id,
        involved=involved or [(world.learners["a1.learnerA1"].pk, "instigator"), (world.learners["a1.learnerB1"].pk, "target")],
    )


def test_teacher_records_an_incident_for_learners_they_teach(world, categories) -> None:
    incident = _incident(world, categories)
    rows = dict(IncidentLearner.objects.filter(incident=incident).values_list("learner_id", "points"))
    assert rows == {world.learners["a1.learnerA1"].pk: 3, world.learners["a1.learnerB1"].pk: 0}
    assert AuditEvent.objects.filter(action="behaviour.incident_recorded").count() == 2


def test_only_learners_one_teaches_and_on_roll(world, categories) -> None:
    # teacher2 teaches art to form A only; B1 is not theirs. And a1.teacher2 is barred from learnerA1.
    with pytest.raises(ValidationError) as caught:
        _incident(world, categories, persona="a1.teacher2")
    assert "learners" in caught.value.message_dict
    assert not Incident.objects.filter(description="Shouting during the test").exists()
    with pytest.raises(ValidationError, match="not one you can record"):
        _incident(world, categories, involved=[(world.learners["b1.learnerA1"].pk, "instigator")])
    with pytest.raises(ValidationError, match="not one you can record"):
        _incident(world, categories, persona="a1.head", involved=[(world.learners["a1.leaver"].pk, "instigator")])


def test_bad_incidents_say_what_is_wrong(world, categories) -> None:
    with pytest.raises(ValidationError) as caught:
        services.incident_record(
            actor=world.actor("a1.teacher"), institution=world.institutions["a1"],
            category_id=categories["other_school"].pk, severity=9, occurred_at=timezone.now() + datetime.timedelta(days=1),
            location="", description=" ", action_taken="", follow_up_owner_id=world.people["b1.head"].pk, involved=[],
        )
    assert set(caught.value.message_dict) == {"category", "severity", "occurred_at", "description", "learners", "follow_up_owner"}


def test_who_reads_an_incident(world, categories) -> None:
    incident = _incident(world, categories, follow_up_owner_id=world.people["a1.tutor"].pk)
    readers = {p for p in world.personas if p != "anonymous" and visible(world.actor(p), Incident).filter(pk=incident.pk).exists()}
    assert readers == {"a1.teacher", "a1.tutor", "a1.head", "a1.leader", "a1.senco", "a1.dsl", "a1.office"}
    for persona in readers:
        assert can(world.actor(persona), "view", incident)
    # The learner and their parent see their own involvement, not the incident with the others in it.
    own = selectors.learner_behaviour(world.actor("parent.a1"), world.learners["a1.learnerA1"].pk,
                                      today() - datetime.timedelta(days=7), today())
    assert [(i.kind, i.points, i.incident_id) for i in own.items] == [("incident", 3, None)]
    with pytest.raises(NotFound):
        selectors.learner_behaviour(world.actor("parent.barred"), world.learners["a1.learnerA1"].pk, today(), today())


def test_rewards_for_many_learners_at_once(world, categories) -> None:
    ids = [world.learners[k].pk for k in ("a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "a1.learnerB2")]
    rewards = services.reward_record(actor=world.actor("a1.teacher"), institution=world.institutions["a1"],
                                     category_id=categories["merit"].pk, learner_ids=ids, awarded_on=today())
    assert len(rewards) == 4 and Reward.objects.filter(points=2).count() == 4
    got = selectors.learner_behaviour(world.actor("a1.learnerA2"), ids[1], today() - datetime.timedelta(days=30), today())
    # Totals by term cover the whole term (the world gave learnerA2 a 1-point reward six weeks ago).
    term = got.terms[-1]["term"]
    world_reward_in_term = term.start_date <= today() - datetime.timedelta(days=43) <= term.end_date
    assert got.reward_points == 2 and got.terms[-1]["reward_points"] == 2 + world_reward_in_term


def test_summary_and_alerts(world, categories) -> None:
    from commonroom.people.models import GroupStaff

    for _ in range(4):
        _incident(world, categories)  # 4 x 3 = 12 points for learnerA1: over the default 10
    summary = selectors.institution_behaviour(world.actor("a1.head"), world.institutions["a1"].pk,
                                              today() - datetime.timedelta(days=7), today())
    assert summary.by_category[0] == {"kind": "incident", "category": "Disruption", "count": 4, "points": 12}
    assert [(y["name"], y["incidents"]) for y in summary.by_year] == [("Year 10", 4)]
    assert [a.learner.pk for a in summary.alerts] == [world.learners["a1.learnerA1"].pk]
    tutor_alerts = selectors.my_behaviour_alerts(world.actor("a1.tutor"))
    assert [a.points for item in tutor_alerts for a in item["alerts"]] == [12]
    # A head of year sees the same learner through the year group.
    GroupStaff.objects.create(institution=world.institutions["a1"], group=world.groups["a1.year10"],
                              person=world.people["a1.teacher2"], role="head_of_year", start_date=today())
    # ...unless barred (a1.teacher2 is barred from learnerA1).
    assert [a for item in selectors.my_behaviour_alerts(world.actor("a1.teacher2")) for a in item["alerts"]] == []
    services.behaviour_settings_save(actor=world.actor("a1.head"), institution=world.institutions["a1"],
                                     alert_points=20, alert_days=14)
    assert not selectors.my_behaviour_alerts(world.actor("a1.tutor"))[0]["alerts"]
    with pytest.raises(NotFound):
        services.behaviour_settings_save(actor=world.actor("a1.teacher"), institution=world.institutions["a1"],
                                         alert_points=5, alert_days=14)
