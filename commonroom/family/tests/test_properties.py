"""Property tests: a parent of some children, tried against every child's page and summary in the world,
reaches exactly their own children (links in force and not barred)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonroom.people.models import ContactLink, Learner

PARENTS = ["parent.a1", "parent.two", "parent.barred"]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parent=st.sampled_from(PARENTS), pick=st.integers(min_value=0, max_value=10_000), api=st.booleans())
def test_parents_reach_only_their_own_children(client, world, parent: str, pick: int, api: bool) -> None:
    learners = list(Learner.objects.order_by("pk").values_list("pk", flat=True))
    learner_id = learners[pick % len(learners)]
    own = set(ContactLink.objects.filter(contact=world.people[parent], access_barred=False).values_list("learner_id", flat=True))
    client.force_login(world.users[parent])
    url = f"/api/v1/children/{learner_id}" if api else f"/children/{learner_id}/"
    response = client.get(url)
    assert response.status_code == (200 if learner_id in own else 404), (parent, learner_id)


@pytest.mark.parametrize("parent", PARENTS)
def test_every_child_in_the_world(client, world, parent: str) -> None:
    own = set(ContactLink.objects.filter(contact=world.people[parent], access_barred=False).values_list("learner_id", flat=True))
    client.force_login(world.users[parent])
    for learner_id in Learner.objects.values_list("pk", flat=True):
        expected = 200 if learner_id in own else 404
        assert client.get(f"/children/{learner_id}/").status_code == expected
        assert client.get(f"/api/v1/children/{learner_id}").status_code == expected
