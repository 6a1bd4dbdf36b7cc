"""The private calendar address: made, shown once, revoked, replaced; the feed's content and its limits."""

from __future__ import annotations

import datetime

from icalendar import Calendar

from commonroom.family import services
from commonroom.family.models import CalendarFeed
from commonroom.people.models import ContactLink


def _make(client, world, persona: str) -> str:
    client.force_login(world.users[persona])
    page = client.post("/account/calendar/", {"action": "create"}).content.decode()
    start = page.index("/calendar/")
    return page[start:page.index(".ics", start) + 4]


def _events(client, path: str) -> dict[str, dict]:
    client.logout()
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_parent_of_two_gets_both_schools_dates(client, world) -> None:
    path = _make(client, world, "parent.two")
    assert CalendarFeed.objects.get(person=world.people["parent.two"]).token_hash not in path  # only the hash is kept
    events = _events(client, path)
    titles = " | ".join(events)
    assert "Form A trip" in titles and "Sports day" in titles and "INSET" not in titles
    assert "Report published: Year 10 autumn" in titles
    assert any(title.startswith("Autumn") for title in events)  # term dates
    trip = next(e for t, e in events.items() if t.startswith("Form A trip"))
    assert world.institutions["a1"].name in str(trip["summary"]) and str(trip["location"]) == world.institutions["a1"].name
    assert isinstance(trip.decoded("dtstart"), datetime.date) and not isinstance(trip.decoded("dtstart"), datetime.datetime)
    sports = next(e for t, e in events.items() if t.startswith("Sports day"))
    assert isinstance(sports.decoded("dtstart"), datetime.datetime)
    assert all("dtstamp" in e and "@commonroom" in str(e["uid"]) for e in events.values())
    again = _events(client, path)
    assert {str(e["uid"]) for e in again.values()} == {str(e["uid"]) for e in events.values()}  # stable UIDs


def test_a_barred_or_ended_link_drops_that_childs_items(client, world) -> None:
    path = _make(client, world, "parent.two")
    link = ContactLink.objects.get(contact=world.people["parent.two"], learner=world.learners["b1.learnerA1"])
    link.access_barred = True
    link.save()
    titles = " | ".join(_events(client, path))
    assert "Sports day" not in titles and world.institutions["b1"].name not in titles and "Form A trip" in titles
    link.access_barred = False
    link.end_date = datetime.date.today() - datetime.timedelta(days=400)
    link.start_date = link.end_date - datetime.timedelta(days=10)
    link.save()
    assert "Sports day" not in " | ".join(_events(client, path))


def test_revoked_replaced_and_unknown_addresses_answer_404(client, world) -> None:
    first = _make(client, world, "parent.a1")
    second = _make(client, world, "parent.a1")
    client.logout()
    assert client.get(first).status_code == 404  # replaced
    assert client.get(second).status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get("/calendar/" + "x" * 300 + ".ics").status_code == 404
    client.force_login(world.users["parent.a1"])
    client.post("/account/calendar/", {"action": "revoke"})
    client.logout()
    assert client.get(second).status_code == 404


def test_barred_parent_gets_an_empty_calendar(client, world) -> None:
    path = _make(client, world, "parent.barred")
    assert _events(client, path) == {}


def test_the_token_page_and_api(client, world) -> None:
    client.force_login(world.users["parent.a1"])
    assert "Make my calendar address" in client.get("/account/calendar/").content.decode()
    made = client.post("/api/v1/calendar-feed", content_type="application/json")
    assert made.status_code == 201 and made.json()["url"].endswith(".ics")
    assert client.get(made.json()["url"]).status_code == 200
    assert client.delete("/api/v1/calendar-feed").status_code == 204
    assert client.delete("/api/v1/calendar-feed").status_code == 404
    assert services.feed_for_token(made.json()["url"].rsplit("/", 1)[1][:-4]) is None


def test_the_feed_carries_homework_deadlines_for_the_childrens_classes(client, world) -> None:
    events = _events(client, _make(client, world, "parent.a1"))
    due = next(e for t, e in events.items() if t.startswith("Homework due: Fractions"))
    assert isinstance(due.decoded("dtstart"), datetime.datetime)  # a deadline is a moment, not a day
    assert any(t.startswith("Homework due: Sketchbook") for t in events)
    # A barred parent's feed says nothing of the child's homework.
    assert not any(t.startswith("Homework due") for t in _events(client, _make(client, world, "parent.barred")))


def test_a_switched_off_account_stops_the_feed(client, world) -> None:
    path = _make(client, world, "parent.a1")
    _events(client, path)
    user = world.users["parent.a1"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(path).status_code == 404
    user.is_active = True
    user.save(update_fields=["is_active"])
    _events(client, path)
