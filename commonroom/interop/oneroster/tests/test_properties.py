"""Property: any valid set of users survives writing and reading unchanged."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from commonroom.interop.oneroster import Org, Roster, User, UserId, read_roster, write_roster

from .fixture import GENERATED_AT

SCHOOL = Org(sourced_id="org-school", name="School", type="school")

guids = st.text(alphabet=string.ascii_letters + string.digits + ".-_/@", min_size=1, max_size=40)
# Any text a field can hold: no line breaks and no NUL (surrogates are never generated).
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\x00"), min_size=1, max_size=30)
optional_texts = st.none() | texts
list_items = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\x00,"), min_size=1, max_size=10)
user_ids = st.builds(
    UserId,
    type=st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\x00,{}:"),
        min_size=1,
        max_size=10,
    ),
    identifier=st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\x00,{}"),
        min_size=1,
        max_size=10,
    ),
)
metadata = st.dictionaries(st.text(alphabet=string.ascii_letters + ".", min_size=1, max_size=12), texts, max_size=2)


@st.composite
def user_sets(draw: st.DrawFn) -> list[User]:
    ids = draw(st.lists(guids, min_size=1, max_size=6, unique=True))
    users = []
    for sourced_id in ids:
        users.append(
            User(
                sourced_id=sourced_id,
                enabled_user=draw(st.booleans()),
                username=draw(texts),
                given_name=draw(texts),
                family_name=draw(texts),
                user_ids=tuple(draw(st.lists(user_ids, max_size=3))),
                middle_name=draw(optional_texts),
                identifier=draw(optional_texts),
                email=draw(optional_texts),
                sms=draw(optional_texts),
                phone=draw(optional_texts),
                agent_sourced_ids=tuple(draw(st.lists(st.sampled_from(ids), max_size=3))),
                grades=tuple(draw(st.lists(list_items, max_size=3))),
                password=draw(optional_texts),
                user_master_identifier=draw(optional_texts),
                preferred_given_name=draw(optional_texts),
                preferred_middle_name=draw(optional_texts),
                preferred_family_name=draw(optional_texts),
                primary_org_sourced_id=draw(st.sampled_from([None, SCHOOL.sourced_id])),
                pronouns=draw(optional_texts),
                metadata=draw(metadata),
            )
        )
    return users


@settings(max_examples=150, deadline=None)
@given(user_sets())
def test_valid_users_round_trip(users: list[User]) -> None:
    roster = Roster(orgs=[SCHOOL], users=users)
    assert read_roster(write_roster(roster, generated_at=GENERATED_AT)) == roster.sorted()
