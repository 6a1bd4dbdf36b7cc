"""The parent portal's endpoints in the authorisation matrix (see commonroom/testing/matrix.py)."""

from __future__ import annotations

import datetime

from commonroom.common.dates import today
from commonroom.testing import oracle_family
from commonroom.testing.matrix import SIGNED_IN, Spec
from commonroom.testing.world import World

LEARNERS = ["a1.learnerA1", "a1.learnerA2", "a1.learnerB1", "a1.leaver", "b1.learnerA1", "solo.learnerA1"]
INSTITUTIONS = ["a1", "b1", "a2"]
EVENTS = ["Form A trip", "Staff INSET (draft)", "Sports day"]
LIVE_TOKEN = "matrix-live-calendar-token"
REVOKED_TOKEN = "matrix-revoked-calendar-token"
FEED_OWNER = "parent.a1"


def _event_of(world: World, title: str) -> int:
    from commonroom.family.models import Event

    return Event.objects.get(title=title).pk


def _inst(world: World, key: str) -> int:
    return world.institutions[key].pk


def _manages_event(persona: str, title: str) -> bool:
    return oracle_family.may_manage_events(persona, oracle_family.EVENTS[title][0])


def _event_body(world: World, _target: str) -> dict:
    day = (today() + datetime.timedelta(days=30)).isoformat()
    return {"title": "From the matrix", "start_date": day, "end_date": day, "whole_school": True, "published": True}


PAGE_SPECS = {
    "family:children": Spec(lambda w, t: "/children/", SIGNED_IN),
    "family:child": Spec(lambda w, t: f"/children/{w.learners[t].pk}/", oracle_family.may_view_child_page, LEARNERS),
    "family:events": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/events/", oracle_family.may_view_events_of,
                          INSTITUTIONS),
    "family:event_add": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/events/new/", oracle_family.may_manage_events,
                             INSTITUTIONS),
    "family:event_edit": Spec(
        lambda w, t: f"/institutions/{_inst(w, oracle_family.EVENTS[t][0])}/events/{_event_of(w, t)}/", _manages_event, EVENTS),
    "family:event_delete": Spec(
        lambda w, t: f"/institutions/{_inst(w, oracle_family.EVENTS[t][0])}/events/{_event_of(w, t)}/delete/",
        _manages_event, EVENTS),
    "family:school_contact": Spec(lambda w, t: f"/institutions/{_inst(w, t)}/contact-details/",
                                  oracle_family.may_manage_events, INSTITUTIONS),
    "family:calendar": Spec(lambda w, t: "/account/calendar/", SIGNED_IN),
    # The feed needs no sign-in: the secret in the address is the key, for anyone who holds it.
    "family:calendar_feed": Spec(lambda w, t: f"/calendar/{LIVE_TOKEN if t == 'live' else REVOKED_TOKEN}.ics",
                                 lambda p, t: t == "live", ["live", "revoked"], public=True),
}

API_SPECS = {
    ("get", "/api/v1/children"): Spec(lambda w, t: "", SIGNED_IN),
    ("get", "/api/v1/children/{learner_id}"): Spec(lambda w, t: "", oracle_family.may_view_child_page, LEARNERS),
    ("get", "/api/v1/institutions/{institution_id}/events"): Spec(lambda w, t: "", oracle_family.may_view_events_of,
                                                                   INSTITUTIONS),
    ("post", "/api/v1/institutions/{institution_id}/events"): Spec(
        lambda w, t: "", oracle_family.may_manage_events, INSTITUTIONS, ok=(201,), body=_event_body),
    ("put", "/api/v1/events/{event_id}"): Spec(lambda w, t: "", _manages_event, EVENTS, body=_event_body),
    ("delete", "/api/v1/events/{event_id}"): Spec(lambda w, t: "", _manages_event, EVENTS, ok=(204,)),
    ("post", "/api/v1/calendar-feed"): Spec(lambda w, t: "", SIGNED_IN, ok=(201,)),
    ("delete", "/api/v1/calendar-feed"): Spec(lambda w, t: "", lambda p, t: p == FEED_OWNER, ok=(204,)),
}

PLACEHOLDERS = {"{event_id}": _event_of}


def prepare(world: World) -> None:
    """A live calendar feed for parent.a1 and a revoked one for parent.two, with known secrets."""
    from django.utils import timezone

    from commonroom.family.models import CalendarFeed
    from commonroom.family.services import _hash

    CalendarFeed.objects.create(person=world.people[FEED_OWNER], token_hash=_hash(LIVE_TOKEN))
    CalendarFeed.objects.create(person=world.people["parent.two"], token_hash=_hash(REVOKED_TOKEN), revoked_at=timezone.now())
