"""Who sees which learner, checked against an oracle written from the persona world's description.

The oracle below never calls the rules: it restates ``commonroom/testing/world.py``'s docstring
(who teaches, tutors, leads, parents and oversees whom) and the visibility policy in
``commonroom/people/policies.py``'s docstring. ``visible`` and ``get_for`` must agree with it.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonroom.authz.api import NotFound, get_for, visible
from commonroom.organisations.models import Institution
from commonroom.people.models import ContactLink, Enrolment, Group, Learner

# The world, restated.
INSTITUTIONS = {"a1": "la1", "a2": "la1", "b1": "la2", "b2": "la2", "solo": None}
WHOLE_INSTITUTION_STAFF = ("head", "leader", "senco", "dsl", "office")
GROUP_STAFF = {"teacher": "maths", "teacher2": "art", "tutor": "formA"}
LEARNER_LABELS = ("learnerA1", "learnerA2", "learnerB1", "learnerB2", "leaver")
CHILDREN = {  # not barred
    "parent.a1": {"a1.learnerA1"},
    "parent.two": {"a1.learnerA2", "b1.learnerA1"},
    "parent.barred": set(),
}
LINKS = {  # (contact persona, learner) -> barred
    ("parent.a1", "a1.learnerA1"): False,
    ("parent.two", "a1.learnerA2"): False,
    ("parent.two", "b1.learnerA1"): False,
    ("parent.barred", "a1.learnerA1"): True,
    ("a1.teacher2", "a1.learnerA1"): True,  # a teacher of the child who is barred as a parent
}
# Who is barred from whom: the bar wins over every other route (role, group, authority).
BARRED = {(contact, learner) for (contact, learner), barred in LINKS.items() if barred}
LEARNER_KEYS = [f"{inst}.{label}" for inst in INSTITUTIONS for label in LEARNER_LABELS]
PERSONAS = sorted(
    [f"{inst}.{role}" for inst in INSTITUTIONS for role in (*WHOLE_INSTITUTION_STAFF, *GROUP_STAFF)]
    + LEARNER_KEYS
    + list(CHILDREN)
    + ["la1.officer", "la2.officer", "platform.admin", "nobody", "anonymous", "a1.governor", "la1.assessor"]
)
GROUP_KEYS = [f"{inst}.{group}" for inst in INSTITUTIONS for group in ("year10", "formA", "formB", "maths", "art")]


def current_groups(learner_key: str) -> set[str]:
    """The groups a learner is in today (a leaver's memberships ended with their enrolment)."""
    inst, label = learner_key.split(".")
    if label == "leaver":
        return set()
    if label.startswith("learnerA"):
        return {f"{inst}.{group}" for group in ("year10", "formA", "maths", "art")}
    return {f"{inst}.{group}" for group in ("year10", "formB", "maths")}


def current_learners(inst: str) -> set[str]:
    return {f"{inst}.{label}" for label in LEARNER_LABELS if label != "leaver"}


def officer_of(inst: str) -> set[str]:
    authority = INSTITUTIONS[inst]
    return {f"{authority}.officer"} if authority else set()


def whole_institution_staff(inst: str) -> set[str]:
    return {f"{inst}.{role}" for role in WHOLE_INSTITUTION_STAFF}


def group_staff_of(group_keys: set[str]) -> set[str]:
    """Teachers and tutors who staff any of these groups."""
    return {
        f"{group.split('.')[0]}.{persona}"
        for group in group_keys
        for persona, staffed in GROUP_STAFF.items()
        if group.split(".")[1] == staffed
    }


def expected_viewers(learner_key: str) -> set[str]:
    """Who may see this learner: themself, their guardians, whole-institution staff where enrolled,
    whoever teaches or tutors one of their groups, and the officer of the maintaining authority."""
    inst, label = learner_key.split(".")
    viewers = {learner_key}
    if label == "leaver":
        return viewers
    viewers |= whole_institution_staff(inst)
    viewers |= group_staff_of(current_groups(learner_key))
    viewers |= {parent for parent, children in CHILDREN.items() if learner_key in children}
    viewers |= officer_of(inst)
    return {viewer for viewer in viewers if (viewer, learner_key) not in BARRED}


def expected_group_viewers(group_key: str) -> set[str]:
    inst = group_key.split(".")[0]
    return (
        whole_institution_staff(inst)
        | group_staff_of({group_key})
        | {learner for learner in current_learners(inst) if group_key in current_groups(learner)}
        | officer_of(inst)
    )


def expected_institution_viewers(inst: str) -> set[str]:
    staff = whole_institution_staff(inst) | {f"{inst}.{persona}" for persona in GROUP_STAFF}
    families = {parent for parent, children in CHILDREN.items() if children & current_learners(inst)}
    return {"platform.admin"} | staff | current_learners(inst) | families | officer_of(inst)


def expected_link_viewers(contact: str, learner_key: str) -> set[str]:
    """Whole-institution staff see every link, barred too; the learner, their teachers and the
    contact see links that are not barred."""
    inst = learner_key.split(".")[0]
    viewers = whole_institution_staff(inst) if learner_key in current_learners(inst) else set()
    if not LINKS[(contact, learner_key)]:
        viewers |= {learner_key, contact} | group_staff_of(current_groups(learner_key))
    return {viewer for viewer in viewers if (viewer, learner_key) not in BARRED}


# The oracle itself, spot-checked against the brief's words.


def test_oracle_matches_the_world(world):
    assert set(PERSONAS) == set(world.personas)
    assert set(LEARNER_KEYS) == set(world.learners)
    assert set(GROUP_KEYS) == set(world.groups)
    assert {tuple(name.split(">")) for name in world.links} == set(LINKS)
    assert expected_viewers("a1.learnerA1") == {
        "a1.head", "a1.leader", "a1.senco", "a1.dsl", "a1.office", "a1.teacher", "a1.tutor",
        "a1.learnerA1", "parent.a1", "la1.officer",
    }  # fmt: skip  (a1.teacher2 teaches art to form A but is barred from a1.learnerA1)
    assert "a1.teacher2" in expected_viewers("a1.learnerA2")
    assert expected_viewers("a1.learnerB1") == {
        "a1.head", "a1.leader", "a1.senco", "a1.dsl", "a1.office", "a1.teacher", "a1.learnerB1", "la1.officer",
    }  # fmt: skip
    assert expected_viewers("solo.learnerA2") >= {"solo.tutor"}
    assert not any(viewer.endswith(".officer") for viewer in expected_viewers("solo.learnerA2"))
    assert expected_viewers("a1.leaver") == {"a1.leaver"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_learner_visibility_matches_oracle(world, persona):
    """The learner x persona matrix, one case per persona (every learner checked inside).

    One test per cell (1,700 of them) spent most of a minute and a half building the world;
    a persona per case keeps the whole matrix, and the failure names every wrong cell.
    """
    actor = world.actor(persona)
    seen = set(visible(actor, Learner).values_list("pk", flat=True))
    wrong = []
    for learner_key in LEARNER_KEYS:
        learner = world.learners[learner_key]
        allowed = persona in expected_viewers(learner_key)
        if (learner.pk in seen) != allowed:
            wrong.append(f"visible: {persona} / {learner_key}: expected {allowed}")
        try:
            fetched = get_for(actor, Learner, learner.pk)
        except NotFound:
            fetched = None
        if (fetched == learner) != allowed:
            wrong.append(f"get_for: {persona} / {learner_key}: expected {allowed}")
    assert not wrong, "\n".join(wrong)


# Probing get_for with any persona and any id, good or bad.

PROBED_MODELS = (Learner, Group, Institution, ContactLink, Enrolment)
BAD_IDS = [
    "abc",
    "1 OR 1=1",
    "",
    " ",
    "1.5",
    "None",
    "-1",
    "0x10",
    "1; DROP TABLE people_learner",
    "\x00",
    "\uff11",
    None,
    1.5,
]


def _oracle_allows(world, persona: str, model: type, obj) -> bool:
    if model is Learner:
        key = next(key for key, learner in world.learners.items() if learner.pk == obj.pk)
        return persona in expected_viewers(key)
    if model is Enrolment:
        key = next(key for key, learner in world.learners.items() if learner.pk == obj.learner_id)
        return persona in expected_viewers(key)
    if model is Group:
        key = next(key for key, group in world.groups.items() if group.pk == obj.pk)
        return persona in expected_group_viewers(key)
    if model is Institution:
        key = next(key for key, inst in world.institutions.items() if inst.pk == obj.pk)
        return persona in expected_institution_viewers(key)
    if model is ContactLink:
        name = next(name for name, link in world.links.items() if link.pk == obj.pk)
        contact, learner_key = name.split(">")
        return persona in expected_link_viewers(contact, learner_key)
    raise AssertionError(model)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(persona=st.sampled_from(PERSONAS), model=st.sampled_from(PROBED_MODELS), data=st.data())
def test_get_for_never_returns_what_the_oracle_forbids(world, persona, model, data):
    max_pk = max(model._default_manager.values_list("pk", flat=True))
    pk = data.draw(
        st.one_of(
            st.integers(min_value=-5, max_value=max_pk + 50),
            st.sampled_from(BAD_IDS),
            st.text(max_size=8),
        ),
        label="pk",
    )
    actor = world.actor(persona)
    try:
        obj = get_for(actor, model, pk)
    except NotFound:
        obj = None
    exists = isinstance(pk, int) and model._default_manager.filter(pk=pk).exists()
    if obj is not None:
        assert _oracle_allows(world, persona, model, obj), f"{persona} reached {model.__name__} {obj.pk} (id {pk!r})"
    elif exists:
        row = model._default_manager.get(pk=pk)
        assert not _oracle_allows(world, persona, model, row), (
            f"{persona} denied {model.__name__} {pk} the oracle allows"
        )


@pytest.mark.parametrize("pk", [2**63, -(2**63) - 1, 10**30])
@pytest.mark.parametrize("model", PROBED_MODELS, ids=lambda model: model.__name__)
def test_out_of_range_ids_are_not_found(world, model, pk):
    """An id a URL's <int:pk> accepts but the database cannot hold is simply not found, never a 500."""
    with pytest.raises(NotFound):
        get_for(world.actor("a1.head"), model, pk)
