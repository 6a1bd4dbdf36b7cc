"""The SEN register over the persona world: each level's rule against the oracle, and the SENCO's writes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from commonroom.authz.api import NotFound, can
from commonroom.common.dates import today
from commonroom.records import sen_selectors, sen_services
from commonroom.records.models import SenRecord, SenReview
from commonroom.testing import oracle

PERSONAS = ["a1.head", "a1.leader", "a1.senco", "a1.dsl", "a1.office", "a1.teacher", "a1.teacher2", "a1.tutor",
            "a1.learnerA1", "a1.learnerB1", "b1.senco", "b1.teacher", "parent.a1", "parent.two", "parent.barred",
            "la1.officer", "platform.admin", "nobody"]
RECORDS = ["a1.learnerA1", "a1.learnerB1", "b1.learnerA1", "b1.learnerB1"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_level_agrees_with_the_oracle(world, persona: str) -> None:
    actor = world.actor(persona)
    for learner in RECORDS:
        record = SenRecord.objects.get(learner=world.learners[learner])
        assert can(actor, "view", record) == oracle.may_read_sen_in_full(persona, learner), learner
        assert can(actor, "view_summary", record) == oracle.may_read_sen_summary(persona, learner), learner
        assert can(actor, "view_family", record) == oracle.may_read_sen_as_family(persona, learner), learner
        assert can(actor, "manage", record) == oracle.may_manage_sen(persona, learner), learner
    for inst in ("a1", "b1"):
        assert can(actor, "view_sen_register", world.institutions[inst]) == oracle.may_view_sen_register(persona, inst)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_answers_with_only_the_levels_fields(client, world, persona: str) -> None:
    client.force_login(world.users[persona])
    learner = "a1.learnerA1"
    response = client.get(f"/api/v1/learners/{world.learners[learner].pk}/sen")
    if not oracle.may_view_learner(persona, learner):
        assert response.status_code == 404
        return
    rows = response.json()
    if oracle.may_read_sen_in_full(persona, learner):
        assert rows[0]["level"] == "full" and rows[0]["plan_detail"]
    elif oracle.may_read_sen_summary(persona, learner):
        assert rows[0]["level"] == "summary" and rows[0]["plan_detail"] is None and rows[0]["reviews"] == []
        assert rows[0]["teacher_summary"]
    elif oracle.may_read_sen_as_family(persona, learner):
        assert rows[0]["level"] == "family" and rows[0]["teacher_summary"] is None and rows[0]["primary_need"] is None
        assert [r["outcome"] for r in rows[0]["reviews"]] == ["Reading age up a year"]
    else:
        assert rows == []


def test_the_senco_opens_a_record_adds_provision_and_records_a_review(world) -> None:
    senco, learner = world.actor("a1.senco"), world.learners["a1.learnerA2"]
    with pytest.raises(ValidationError) as caught:
        sen_services.sen_record_save(actor=senco, learner=learner, institution=world.institutions["a1"], status="K",
                                     status_since=today() + datetime.timedelta(days=1))
    assert set(caught.value.message_dict) == {"primary_need", "status_since"}
    record = sen_services.sen_record_save(actor=senco, learner=learner, institution=world.institutions["a1"], status="K",
                                          status_since=today(), primary_need="SLCN", teacher_summary=" Speak clearly ")
    assert (record.teacher_summary, record.episodes.count()) == ("Speak clearly", 1)
    with pytest.raises(ValidationError, match="cannot start before"):
        sen_services.sen_record_save(actor=senco, learner=learner, institution=world.institutions["a1"], status="E",
                                     status_since=today() - datetime.timedelta(days=10), primary_need="SLCN",
                                     seen_version=record.version)
    with pytest.raises(ValidationError, match="Someone else changed"):
        sen_services.sen_record_save(actor=senco, learner=learner, institution=world.institutions["a1"], status="K",
                                     status_since=today(), primary_need="SLCN", seen_version=record.version + 1)
    sen_services.sen_provision_add(actor=senco, record=record, description="Speech therapy", start_date=today())
    review = sen_services.sen_review_save(actor=senco, record=record, due_on=today())
    with pytest.raises(ValidationError) as caught:
        sen_services.sen_review_save(actor=senco, record=record, review=review, due_on=today(), held_on=today())
    assert "outcome" in caught.value.message_dict
    sen_services.sen_review_save(actor=senco, record=record, review=review, due_on=today(), held_on=today(),
                                 outcome="On track", shared_with_family=True)
    assert SenReview.objects.get(pk=review.pk).outcome == "On track"
    for persona in ("a1.teacher", "a1.office", "b1.senco"):
        with pytest.raises(NotFound):
            sen_services.sen_provision_add(actor=world.actor(persona), record=record, description="x", start_date=today())
    with pytest.raises(NotFound):  # a learner at another school
        sen_services.sen_record_save(actor=senco, learner=world.learners["b1.learnerA2"], institution=world.institutions["a1"],
                                     status="K", status_since=today(), primary_need="MLD")


def test_the_register_counts_and_lists(world) -> None:
    register = sen_selectors.sen_register(world.actor("a1.senco"), world.institutions["a1"].pk)
    assert register.by_status == {"K": 1, "E": 1} and [n for n, _c in register.by_need] == ["ASD", "SPLD"]
    with pytest.raises(NotFound):
        sen_selectors.sen_register(world.actor("a1.office"), world.institutions["a1"].pk)
