"""Parent uptake figures on known data, the page, the CSV and the query budget."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonroom.authz.api import NotFound
from commonroom.common.dates import today
from commonroom.identity.models import User
from commonroom.liaison.selectors import uptake_figures
from commonroom.people.models import ContactLink, Person
from commonroom.records.models import PublishedReport


def test_figures_on_known_data(client, world) -> None:
    # parent.a1 signed in today and opened learnerA1's report (through the records page: the audit says which);
    # parent.two signed in 40 days ago and has read nothing. parent.barred and a1.teacher2 are barred: not counted.
    User.objects.filter(pk=world.users["parent.a1"].pk).update(last_login=timezone.now())
    User.objects.filter(pk=world.users["parent.two"].pk).update(last_login=timezone.now() - datetime.timedelta(days=40))
    report = PublishedReport.objects.get(learner=world.learners["a1.learnerA1"])
    client.force_login(world.users["parent.a1"])
    assert client.get(f"/reports/{report.pk}/").status_code == 200
    User.objects.filter(pk=world.users["parent.two"].pk).update(last_login=timezone.now() - datetime.timedelta(days=40))
    figures = uptake_figures(world.actor("a1.office"), world.institutions["a1"].pk)
    total = figures.total
    assert (total.learners, total.contacts, total.accounts, total.active_30_days) == (4, 2, 2, 1)
    assert (total.reports_issued, total.reports_read, total.reports_read_pct) == (2, 1, 50.0)
    assert [y.label for y in figures.years] == ["Year 10"]
    parents = {p.name: p for p in figures.parents}
    assert set(parents) == {world.people["parent.a1"].full_name, world.people["parent.two"].full_name}
    alex = parents[world.people["parent.a1"].full_name]
    assert alex.activated and alex.reports_issued == 1 and len(alex.reports_read) == 1
    assert "Year 10 autumn" in alex.reports_read[0]
    sam = parents[world.people["parent.two"].full_name]
    assert sam.activated and sam.reports_read == [] and sam.children == [world.people["a1.learnerA2"].full_name]


def test_a_parent_who_never_signed_in_is_not_activated(world) -> None:
    User.objects.filter(pk__in=[world.users["parent.a1"].pk, world.users["parent.two"].pk]).update(last_login=None)
    figures = uptake_figures(world.actor("a1.head"), world.institutions["a1"].pk)
    assert (figures.total.contacts, figures.total.accounts, figures.total.active_30_days) == (2, 0, 0)
    assert all(p.has_account and not p.activated for p in figures.parents)


@pytest.mark.parametrize("persona", ["a1.teacher", "a1.senco", "b1.head", "la1.officer", "parent.a1", "platform.admin"])
def test_only_the_schools_office_and_leaders(world, persona: str) -> None:
    with pytest.raises(NotFound):
        uptake_figures(world.actor(persona), world.institutions["a1"].pk)


def test_the_query_count_does_not_grow_with_parents(world) -> None:
    actor = world.actor("a1.office")
    uptake_figures(actor, world.institutions["a1"].pk)
    with CaptureQueriesContext(connection) as before:
        uptake_figures(world.actor("a1.office"), world.institutions["a1"].pk)
    for n in range(12):
        parent = Person.objects.create(given_name=f"Extra{n}", family_name="Parent")
        ContactLink.objects.create(learner=world.learners["a1.learnerB1"], contact=parent, relationship="parent",
                                   start_date=today() - datetime.timedelta(days=5), priority=n + 2)
        User.objects.create(username=f"extra{n}", person=parent, last_login=timezone.now())
    with CaptureQueriesContext(connection) as after:
        figures = uptake_figures(world.actor("a1.office"), world.institutions["a1"].pk)
    assert figures.total.contacts == 14 and figures.total.active_30_days >= 12
    assert len(after.captured_queries) == len(before.captured_queries) <= 9  # one of them reads the school's broadcasts


def test_the_page_and_the_csv(client, world, django_assert_max_num_queries) -> None:
    client.force_login(world.users["a1.office"])
    url = f"/institutions/{world.institutions['a1'].pk}/parents/uptake/"
    client.get(url)
    with django_assert_max_num_queries(16):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'role="img"' in html and "Uptake by year group" in html
    assert world.people["parent.a1"].full_name in html and world.people["parent.barred"].full_name not in html
    csv_response = client.get(f"{url[:-1]}.csv")
    body = csv_response.content.decode()
    assert csv_response["Content-Type"].startswith("text/csv") and "attachment" in csv_response["Content-Disposition"]
    assert "year,Year 10,4,2" in body and world.people["parent.two"].full_name in body


def test_the_api(client, world) -> None:
    client.force_login(world.users["a1.head"])
    data = client.get(f"/api/v1/institutions/{world.institutions['a1'].pk}/parents/uptake").json()
    assert data["total"]["contacts"] == 2 and data["years"][0]["label"] == "Year 10"
    client.force_login(world.users["a1.teacher"])
    assert client.get(f"/api/v1/institutions/{world.institutions['a1'].pk}/parents/uptake").status_code == 404


def test_broadcasts_opened_count_per_parent_and_year(world) -> None:  # type: ignore[no-untyped-def]
    from commonroom.liaison.selectors import uptake_figures
    from commonroom.messaging import services as messaging

    def counts(figures, persona: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        row = next(p for p in figures.parents if p.person_id == world.people[persona].pk)
        return row.messages_received, row.messages_read

    before = uptake_figures(world.actor("a1.head"), world.institutions["a1"].pk)
    broadcast = messaging.broadcast_send(actor=world.actor("a1.office"), institution=world.institutions["a1"],
                                         subject="Trip", body="Coats, please.", group=world.groups["a1.formA"])
    messaging.broadcast_open(actor=world.actor("parent.a1"), broadcast=broadcast)
    figures = uptake_figures(world.actor("a1.head"), world.institutions["a1"].pk)
    sent, read = counts(before, "parent.a1")
    assert counts(figures, "parent.a1") == (sent + 1, read + 1)  # sent and opened
    sent, read = counts(before, "parent.two")
    assert counts(figures, "parent.two") == (sent + 1, read)  # sent, not opened
    assert figures.total.messages_sent == sum(p.messages_received for p in figures.parents)
    assert figures.total.messages_read == sum(p.messages_read for p in figures.parents)
