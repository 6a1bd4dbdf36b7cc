"""Benchmarks, action plans and the authority view: the arithmetic (against figures worked out by hand),
who sees what, forms that say what is wrong, CSV, the API, and query counts constant in the number of
institutions."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonroom.authz.api import NotFound
from commonroom.common.dates import today
from commonroom.organisations.models import Institution
from commonroom.selfreview import selectors_plans, services_plans
from commonroom.selfreview.bulk import ReviewSpec, write_completed_reviews
from commonroom.selfreview.models import Aspect, Framework
from commonroom.selfreview.models_plans import Action, AuthorityTarget
from commonroom.selfreview.testing_world import review_named
from commonroom.selfreview.testing_world_plans import action_named, target_named


def _schools() -> Framework:
    return Framework.objects.get(slug="schools", version=1)


def _institutions(world, count: int, phase: str, la: str | None, prefix: str) -> list[Institution]:  # type: ignore[no-untyped-def]
    authority = world.authorities[la] if la else None
    return [Institution.objects.create(name=f"{prefix} {n}", kind="fe_college", phase=phase, local_authority=authority)
            for n in range(count)]


def _reviews(world, rows: list[tuple[Institution, datetime.date, int]]) -> None:  # type: ignore[no-untyped-def]
    """Each (institution, completed on, level of every aspect)."""
    head = world.people["a1.head"].pk
    write_completed_reviews(_schools(), [ReviewSpec(i.pk, head, day, lambda n, lv=level: lv) for i, day, level in rows])


# --- Size bands and benchmarks ---------------------------------------------------------------------


def test_size_bands() -> None:
    assert [selectors_plans.size_band(n) for n in (0, 100, 101, 250, 251, 500, 501, 1000, 1001, 1500, 1501, 9000)] == [
        0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_benchmarks_give_quartiles_never_names_and_hide_small_groups(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    day = today() - datetime.timedelta(days=20)
    local = _institutions(world, 4, "post_16", "la1", "Local college")
    far = _institutions(world, 2, "post_16", None, "Far college")
    # Levels 2 (ours), 1, 3, 4 in la1; 5 and 3 elsewhere. An older review of ours (level 5) does not count.
    _reviews(world, [(local[0], day - datetime.timedelta(days=400), 5), (local[0], day, 2), (local[1], day, 1),
                     (local[2], day, 3), (local[3], day, 4), (far[0], day, 5), (far[1], day, 3)])
    client.force_login(world.users["la1.officer"])
    data = selectors_plans.benchmarks(world.actor("la1.officer"), local[0].pk, "schools")
    assert data.instance_size == 6 and data.authority_size == 4 and data.min_group == 5
    row = data.rows[0]
    assert row.own == 2.0 and row.own_at_threshold is True  # every threshold is 2 or 3
    # Sorted 1, 2, 3, 3, 4, 5: inclusive quartiles at positions 1.25, 2.5 and 3.75 (counting from 0).
    assert (row.instance.lower_quartile, row.instance.median, row.instance.upper_quartile) == (2.25, 3.0, 3.75)
    assert row.instance.position == "in the best quarter"
    assert row.authority is not None and not row.authority.shown and row.authority.size == 4
    page = client.get(f"/self-review/institutions/{local[0].pk}/benchmarks/")
    text = page.content.decode()
    assert page.status_code == 200 and "Not shown: only 4 in the group" in text and "2.25" in text
    assert "Local college 1" not in text and "Far college" not in text
    settings.SELFREVIEW_BENCHMARK_MIN_GROUP = 3
    row = selectors_plans.benchmarks(world.actor("la1.officer"), local[0].pk, "schools").rows[0]
    # la1: 1, 2, 3, 4 -> 1.75, 2.5, 3.25
    assert row.authority is not None and row.authority.shown
    assert (row.authority.lower_quartile, row.authority.median, row.authority.upper_quartile) == (1.75, 2.5, 3.25)
    csv_rows = list(csv.reader(io.StringIO(client.get(f"/self-review/institutions/{local[0].pk}/benchmarks.csv").content.decode())))
    assert csv_rows[0][:4] == ["element", "element_name", "own_mean_level", "own_at_threshold"]
    # The instance group (6) is only 2 bigger than the authority's (4): showing both would single out the two
    # colleges elsewhere, so the wider one is hidden now (secondary suppression).
    assert not row.instance.shown
    assert ["1", csv_rows[1][1], "2.0", "yes", "instance", "6", "no"] == csv_rows[1][:7]
    assert "2.25" not in "".join(csv_rows[1])
    # The minimum counts the others, not the institution itself: 4 in la1 are 3 besides us.
    settings.SELFREVIEW_BENCHMARK_MIN_GROUP = 4
    row = selectors_plans.benchmarks(world.actor("la1.officer"), local[0].pk, "schools").rows[0]
    assert row.authority is not None and not row.authority.shown and row.instance.shown
    # Not the officer of another authority, nor staff elsewhere.
    with pytest.raises(NotFound):
        selectors_plans.benchmarks(world.actor("la2.officer"), local[0].pk)


def test_benchmark_queries_do_not_grow_with_institutions(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["a1.head"])
    url = f"/api/v1/self-review/institutions/{world.institutions['a1'].pk}/benchmarks"
    day = today() - datetime.timedelta(days=3)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _reviews(world, [(i, day, 3) for i in _institutions(world, 3, "secondary", "la1", "Small")])
    count()  # the first request of a session loads the session and the user
    before = count()
    _reviews(world, [(i, day, 2) for i in _institutions(world, 12, "secondary", None, "More")])
    assert count() == before
    body = client.get(url).json()
    assert body["instance_group_size"] == 16  # a1 (its finished review) and the 15 new secondaries: all under 101 on roll
    assert body["elements"][0]["instance"]["shown"] is True


# --- Action plans ---------------------------------------------------------------------------------


def test_a_leader_adds_an_action_from_an_aspect_and_the_form_says_what_is_wrong(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["a1.head"])
    review = review_named(world, "a1.finished")
    aspect = Aspect.objects.get(element__framework=_schools(), code="1a-1")  # level 3 in that review
    url = f"/self-review/reviews/{review.pk}/aspects/{aspect.pk}/actions/new/"
    page = client.get(url)
    assert page.status_code == 200 and "level 3 in this review" in page.content.decode()
    bad = client.post(url, {"title": "", "target_level": "3", "owner": "", "due_on": "31/02/2027", "cost": "-5"})
    text = bad.content.decode()
    assert bad.status_code == 200 and "There is a problem" in text
    for anchor in ("#id_title", "#id_target_level", "#id_owner", "#id_due_on", "#id_cost"):
        assert f'href="{anchor}' in text, anchor
    assert not Action.objects.filter(title="Vision workshop").exists()
    good = client.post(url, {"title": "Vision workshop", "target_level": "2", "owner": world.people["a1.teacher"].pk,
                             "due_on": "2030-03-31", "cost": "250.50", "status": "planned", "notes": "With governors"})
    assert good.status_code == 302 and good["Location"] == f"/self-review/institutions/{world.institutions['a1'].pk}/plan/"
    action = Action.objects.get(title="Vision workshop")
    assert (action.level_when_added, action.target_level, action.cost, action.owner_id) == (
        3, 2, Decimal("250.50"), world.people["a1.teacher"].pk)
    # A teacher may not plan; an officer reads the plan but may not add to it.
    client.force_login(world.users["a1.teacher"])
    assert client.get(url).status_code == 404
    for reader in ("la1.officer", "a1.governor"):
        client.force_login(world.users[reader])
        assert client.get(url).status_code == 404
        plan = client.get(f"/self-review/institutions/{world.institutions['a1'].pk}/plan/").content.decode()
        assert "Vision workshop" in plan and f"/self-review/actions/{action.pk}/" not in plan


def test_the_service_refuses_a_target_no_better_than_the_level(world) -> None:  # type: ignore[no-untyped-def]
    from commonroom.selfreview.models import AspectAnswer

    review = review_named(world, "a1.finished")
    answer = AspectAnswer.objects.select_related("aspect").get(review=review, aspect__code="1a-1")
    values = {"title": "x", "target_level": 3, "owner_id": world.people["a1.teacher"].pk, "due_on": today()}
    with pytest.raises(Exception) as refused:
        services_plans.action_add(actor=world.actor("a1.head"), review=review, answer=answer, values=values)
    assert "better than the level now (3)" in str(refused.value)
    values["owner_id"] = world.people["b1.teacher"].pk  # not staff of a1
    values["target_level"] = 1
    with pytest.raises(Exception) as refused:
        services_plans.action_add(actor=world.actor("a1.head"), review=review, answer=answer, values=values)
    assert "member of staff of this institution" in str(refused.value)


def test_the_plan_shows_what_is_overdue_and_which_actions_moved_the_level(world, client) -> None:  # type: ignore[no-untyped-def]
    a1 = world.institutions["a1"]
    client.force_login(world.users["a1.head"])
    text = client.get(f"/self-review/institutions/{a1.pk}/plan/").content.decode()
    assert "1 action is overdue." in text and "Overdue" in text and "no later review yet" in text
    # A second action on an aspect of element 2 (level 4 in the finished review), target 3.
    review = review_named(world, "a1.finished")
    second = Action.objects.create(institution=a1, review=review, aspect=Aspect.objects.get(element__framework=_schools(),
                                   code="2a-1"), title="Curriculum map", level_when_added=4, target_level=2,
                                   owner=world.people["a1.teacher"], due_on=today() + datetime.timedelta(days=5),
                                   added_on=today() - datetime.timedelta(days=40), added_by=world.people["a1.head"])
    # The next completed review: element 1 at level 2 (the first action's target), element 2 at level 3.
    write_completed_reviews(_schools(), [ReviewSpec(a1.pk, world.people["a1.head"].pk, today() - datetime.timedelta(days=2),
                                                    lambda n: {1: 2, 2: 3}.get(n, 4))])
    plan = selectors_plans.action_plan(world.actor("a1.head"), a1.pk)
    outcomes = {row.action.title: (row.later_level, row.outcome, row.overdue) for row in plan.rows}
    assert outcomes == {"World action a1": (2, "reached the target", True), "Curriculum map": (3, "moved up", False)}
    second.level_when_added = 3
    second.save()
    plan = selectors_plans.action_plan(world.actor("a1.head"), a1.pk)
    assert {row.action.title: row.outcome for row in plan.rows}["Curriculum map"] == "did not move"
    assert "reached the target" in client.get(f"/self-review/institutions/{a1.pk}/plan/").content.decode()


def test_actions_over_the_api(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["a1.head"])
    a1 = world.institutions["a1"]
    aspect = Aspect.objects.get(element__framework=_schools(), code="1a-1")
    body = {"title": "Peer visits", "target_level": 3, "owner_id": world.people["a1.teacher"].pk, "due_on": "2030-01-31",
            "review_id": review_named(world, "a1.finished").pk, "aspect_id": aspect.pk}
    refused = client.post(f"/api/v1/self-review/institutions/{a1.pk}/actions", body, content_type="application/json")
    assert refused.status_code == 422 and "better than the level now (3)" in refused.content.decode()
    made = client.post(f"/api/v1/self-review/institutions/{a1.pk}/actions", body | {"target_level": 2},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["level_when_added"] == 3 and made.json()["outcome"] == "no later review yet"
    # b1's review through a1's plan: not found.
    other = body | {"target_level": 1, "review_id": review_named(world, "b1.current").pk}
    assert client.post(f"/api/v1/self-review/institutions/{a1.pk}/actions", other, content_type="application/json").status_code == 404
    action = action_named(world, "a1.action")
    changed = client.put(f"/api/v1/self-review/actions/{action.pk}", {
        "title": "World action a1", "target_level": 2, "owner_id": world.people["a1.head"].pk, "due_on": "2030-02-01",
        "status": "done"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["status"] == "done" and changed.json()["overdue"] is False
    listed = client.get(f"/api/v1/self-review/institutions/{a1.pk}/actions").json()
    assert [a["title"] for a in listed] == ["Peer visits", "World action a1"]


# --- The authority view ---------------------------------------------------------------------------


def _la2_history(world) -> tuple[Institution, Institution]:  # type: ignore[no-untyped-def]
    x1, x2 = _institutions(world, 1, "secondary", "la2", "Alpha")[0], _institutions(world, 1, "primary", "la2", "Beta")[0]
    day = today()
    _reviews(world, [(x1, day - datetime.timedelta(days=3 * 365), 4), (x1, day, 1), (x2, day - datetime.timedelta(days=400), 5)])
    return x1, x2


def test_the_authority_view(world, client) -> None:  # type: ignore[no-untyped-def]
    x1, x2 = _la2_history(world)
    AuthorityTarget.objects.create(local_authority=world.authorities["la2"], title="Every secondary", framework_slug="schools",
                                   phase="secondary", share=100, due_on=today() - datetime.timedelta(days=1),
                                   created_by=world.people["la2.officer"])
    from commonroom.selfreview.models import CharterRecord

    CharterRecord.objects.create(institution=x1, stage="committed", recorded_by=world.people["la2.officer"],
                                 recorded_on=today() - datetime.timedelta(days=30))
    data = selectors_plans.authority_view(world.actor("la2.officer"), world.authorities["la2"].pk)
    assert data.has_stages and {r.institution.pk: r.stage for r in data.institutions}[x1.pk] == "Committed"
    names = [row.institution.name for row in data.institutions]
    assert sorted(names) == sorted([world.institutions["b1"].name, world.institutions["b2"].name, x1.name, x2.name])
    first = data.distribution[0]
    assert first.counts == [1, 0, 0, 0, 1] and first.at_threshold == 1 and first.reviewed == 2
    assert [row.institution for row in data.reached_this_year] == [x1]
    assert sorted(row.institution.name for row in data.not_reviewed) == sorted(
        [world.institutions["b1"].name, world.institutions["b2"].name, x2.name])
    year_now = selectors_plans.academic_year_of(today())
    by_year = {row.year: (row.reviewed, row.all_at_threshold) for row in data.years}
    assert by_year[year_now] == (1, 1)
    assert by_year[selectors_plans.academic_year_of(today() - datetime.timedelta(days=3 * 365))][1] == 0
    targets = {row.target.title: (row.eligible, row.at_threshold, row.share, row.status) for row in data.targets}
    assert targets == {"World target": (4, 1, 25.0, "not yet met"), "Every secondary": (2, 1, 50.0, "missed")}
    # An institution already at the threshold before this year did not reach it this year.
    x3 = _institutions(world, 1, "primary", "la2", "Gamma")[0]
    _reviews(world, [(x3, today() - datetime.timedelta(days=2 * 365), 1), (x3, today(), 1)])
    data = selectors_plans.authority_view(world.actor("la2.officer"), world.authorities["la2"].pk)
    assert [row.institution for row in data.reached_this_year] == [x1]

    client.force_login(world.users["la2.officer"])
    page = client.get(f"/self-review/authorities/{world.authorities['la2'].pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "Every secondary" in text and "Missed" in text
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/self-review/authorities/{world.authorities['la2'].pk}/institutions.csv").content.decode())))
    alpha = next(r for r in rows if r["institution"] == x1.name)
    assert alpha["latest_review"] == today().isoformat() and alpha["element_1_mean_level"] == "1.0"
    assert alpha["elements_at_threshold"] == "8" and alpha["no_review_for_a_year"] == "no"
    assert alpha["charter_stage"] == "Committed"
    targets_csv = client.get(f"/self-review/authorities/{world.authorities['la2'].pk}/targets.csv").content.decode()
    assert "Every secondary,schools,every,secondary,100," in targets_csv
    # Another authority's officer and school staff see nothing.
    with pytest.raises(NotFound):
        selectors_plans.authority_view(world.actor("la1.officer"), world.authorities["la2"].pk)
    client.force_login(world.users["b1.head"])
    assert client.get(f"/self-review/authorities/{world.authorities['la2'].pk}/").status_code == 404


def test_authority_queries_do_not_grow_with_institutions(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["la2.officer"])
    _la2_history(world)
    urls = [f"/self-review/authorities/{world.authorities['la2'].pk}/",
            f"/api/v1/self-review/authorities/{world.authorities['la2'].pk}",
            f"/self-review/authorities/{world.authorities['la2'].pk}/institutions.csv"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    counts()  # the first request of a session loads the session and the user
    before = counts()
    more = _institutions(world, 10, "primary", "la2", "Gamma")
    _reviews(world, [(i, today() - datetime.timedelta(days=n * 100), n % 5 + 1) for n, i in enumerate(more)])
    assert counts() == before
    assert before[0] <= 16


def test_targets_forms_and_api(world, client) -> None:  # type: ignore[no-untyped-def]
    la1 = world.authorities["la1"]
    client.force_login(world.users["la1.officer"])
    bad = client.post(f"/self-review/authorities/{la1.pk}/targets/new/", {
        "title": "", "framework_slug": "schools", "element_number": "", "phase": "", "share": "120", "due_on": ""})
    text = bad.content.decode()
    assert bad.status_code == 200 and 'href="#id_title"' in text and 'href="#id_share"' in text and 'href="#id_due_on"' in text
    good = client.post(f"/self-review/authorities/{la1.pk}/targets/new/", {
        "title": "Online reporting everywhere", "framework_slug": "parental-engagement", "element_number": "",
        "phase": "secondary", "share": "100", "due_on": "2030-07-31"})
    assert good.status_code == 302
    assert AuthorityTarget.objects.filter(local_authority=la1, framework_slug="parental-engagement", share=100).exists()
    refused = client.post(f"/api/v1/self-review/authorities/{la1.pk}/targets", {
        "title": "x", "framework_slug": "online-safety", "element_number": 9, "share": 50, "due_on": "2030-01-01"},
        content_type="application/json")
    assert refused.status_code == 422 and "has no element 9" in refused.content.decode()
    target = target_named(world, "la1.target")
    put = client.put(f"/api/v1/self-review/targets/{target.pk}", {
        "title": "World target", "framework_slug": "schools", "element_number": 1, "share": 50, "due_on": "2030-01-01"},
        content_type="application/json")
    assert put.status_code == 200 and put.json()["share"] == 50
    removed = client.post(f"/self-review/targets/{target.pk}/", {"delete": "1"})
    assert removed.status_code == 302 and not AuthorityTarget.objects.filter(pk=target.pk).exists()
    client.force_login(world.users["la2.officer"])
    assert client.get(f"/self-review/authorities/{la1.pk}/targets/new/").status_code == 404
