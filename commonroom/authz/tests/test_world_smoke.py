from commonroom.authz.api import visible
from commonroom.people.models import Learner


def test_world_loads_and_scopes(world):
    head = world.actor("a1.head")
    seen = set(visible(head, Learner).values_list("pk", flat=True))
    assert world.learners["a1.learnerA1"].pk in seen
    assert world.learners["b1.learnerA1"].pk not in seen
    assert world.learners["a1.leaver"].pk not in seen
