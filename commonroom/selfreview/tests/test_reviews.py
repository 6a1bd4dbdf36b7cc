"""Reviews: who may do what, saving aspects side by side without losing changes, completing, the
summary arithmetic, the result (chart, history, CSV) and pinned query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from commonroom.authz.api import NotFound
from commonroom.authz.models import AuditEvent
from commonroom.selfreview import selectors, services
from commonroom.selfreview.models import AspectAnswer, Review
from commonroom.selfreview.testing_world import review_named


def _answer(world, review: str, code: str) -> AspectAnswer:  # type: ignore[no-untyped-def]
    return AspectAnswer.objects.select_related("review", "aspect").get(review=review_named(world, review), aspect__code=code)


def test_an_assigned_colleague_answers_their_element_only(world) -> None:  # type: ignore[no-untyped-def]
    teacher = world.actor("a1.teacher")
    mine = _answer(world, "a1.current", "2b-1")
    saved = services.answer_save(actor=teacher, answer=mine, level=3, notes="Most lessons", seen_version=mine.version,
                                 evidence="https://example.org/curriculum-map\nCurriculum review minutes, March")
    assert saved.version == mine.version + 1 and saved.level == 3
    assert saved.evidence == [{"kind": "link", "url": "https://example.org/curriculum-map"},
                              {"kind": "note", "text": "Curriculum review minutes, March"}]
    assert AuditEvent.objects.filter(action="selfreview.answer.save", object_id=str(saved.pk)).exists()
    other = _answer(world, "a1.current", "1a-1")
    with pytest.raises(NotFound):
        services.answer_save(actor=teacher, answer=other, level=1, notes="", evidence="", seen_version=other.version)
    assert AspectAnswer.objects.get(pk=other.pk).level == 2  # unchanged
    for persona in ("a1.teacher2", "a1.senco", "b1.head", "la1.officer"):
        with pytest.raises(NotFound):
            services.answer_save(actor=world.actor(persona), answer=mine, level=1, notes="", evidence="",
                                 seen_version=saved.version)
    assert AspectAnswer.objects.get(pk=mine.pk).level == 3


def test_a_stale_save_is_refused_and_different_aspects_never_clash(world) -> None:  # type: ignore[no-untyped-def]
    head, teacher = world.actor("a1.head"), world.actor("a1.teacher")
    first = _answer(world, "a1.current", "2b-1")
    opened = first.version
    services.answer_save(actor=teacher, answer=first, level=3, notes="Teacher's view", evidence="", seen_version=opened)
    with pytest.raises(services.StaleAnswer) as stale:
        services.answer_save(actor=head, answer=first, level=4, notes="Head's view", evidence="", seen_version=opened)
    assert stale.value.current.level == 3 and stale.value.current.notes == "Teacher's view"
    assert stale.value.current.updated_by == world.people["a1.teacher"]
    # Different aspects opened at the same time both save.
    a, b = _answer(world, "a1.current", "2c-1"), _answer(world, "a1.current", "2a-2")
    services.answer_save(actor=head, answer=a, level=2, notes="", evidence="", seen_version=a.version)
    services.answer_save(actor=teacher, answer=b, level=4, notes="", evidence="", seen_version=b.version)
    assert AspectAnswer.objects.get(pk=a.pk).level == 2 and AspectAnswer.objects.get(pk=b.pk).level == 4


def test_the_page_keeps_your_changes_and_shows_theirs_on_a_conflict(world, client) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world, "a1.current", "2b-2")
    services.answer_save(actor=world.actor("a1.head"), answer=answer, level=2, notes="Head saved first", evidence="",
                         seen_version=answer.version)
    client.force_login(world.users["a1.teacher"])
    url = f"/self-review/reviews/{answer.review_id}/aspects/{answer.aspect_id}/"
    response = client.post(url, {"level": "4", "notes": "My careful notes", "evidence": "", "seen_version": str(answer.version)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "My careful notes" in page and "Head saved first" in page and "saved this aspect while you were working" in page
    assert AspectAnswer.objects.get(pk=answer.pk).notes == "Head saved first"
    # Saving again, knowingly, replaces their answer.
    fresh = AspectAnswer.objects.get(pk=answer.pk)
    response = client.post(url, {"level": "4", "notes": "My careful notes", "evidence": "", "seen_version": str(fresh.version)})
    assert response.status_code == 302
    assert AspectAnswer.objects.get(pk=answer.pk).notes == "My careful notes"


def test_bad_input_is_named_at_the_field_and_nothing_is_lost(world, client) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world, "a1.current", "2a-2")
    client.force_login(world.users["a1.teacher"])
    url = f"/self-review/reviews/{answer.review_id}/aspects/{answer.aspect_id}/"
    response = client.post(url, {"level": "3", "notes": "Keep me", "evidence": "javascript:alert(1)",
                                 "seen_version": str(answer.version)})
    page = response.content.decode()
    assert response.status_code == 200 and "must start with http:// or https://" in page and "Keep me" in page
    assert AspectAnswer.objects.get(pk=answer.pk).version == answer.version


@pytest.mark.parametrize("evidence", ["ftp://example.org/x", "javascript:alert(1)", "https://", "data:text/html,x"])
def test_evidence_links_must_be_http(evidence: str) -> None:
    with pytest.raises(ValidationError):
        services.parse_evidence(evidence)


def test_completing_needs_every_level_and_freezes_the_review(world) -> None:  # type: ignore[no-untyped-def]
    head = world.actor("a1.head")
    review = review_named(world, "a1.current")
    with pytest.raises(ValidationError):
        services.review_complete(actor=head, review=review)
    with pytest.raises(NotFound):
        services.review_complete(actor=world.actor("a1.teacher"), review=review)
    AspectAnswer.objects.filter(review=review).update(level=3)
    services.review_complete(actor=head, review=review)
    review.refresh_from_db()
    assert review.status == Review.Status.COMPLETED
    answer = _answer(world, "a1.current", "2a-1")
    for persona in ("a1.head", "a1.teacher"):
        with pytest.raises(NotFound):
            services.answer_save(actor=world.actor(persona), answer=answer, level=1, notes="", evidence="",
                                 seen_version=answer.version)


def test_only_leaders_start_reviews_and_assign_colleagues_who_work_there(world) -> None:  # type: ignore[no-untyped-def]
    schools = review_named(world, "a1.current").framework
    for persona in ("a1.teacher", "a1.senco", "la1.officer", "b1.head"):
        with pytest.raises(NotFound):
            services.review_start(actor=world.actor(persona), institution=world.institutions["a1"], framework=schools)
    review = services.review_start(actor=world.actor("a1.leader"), institution=world.institutions["a1"], framework=schools)
    assert review.answers.count() == 34
    element = schools.elements.get(number=4)
    with pytest.raises(ValidationError):
        services.element_assign(actor=world.actor("a1.head"), review=review, element=element, person=world.people["b1.teacher"])
    services.element_assign(actor=world.actor("a1.head"), review=review, element=element, person=world.people["a1.tutor"])
    assert selectors.review_view(world.actor("a1.tutor"), review.pk).review == review
    with pytest.raises(NotFound):
        selectors.review_view(world.actor("a1.teacher2"), review.pk)


def test_summary_arithmetic(world) -> None:  # type: ignore[no-untyped-def]
    review = review_named(world, "a1.current")
    AspectAnswer.objects.filter(review=review).update(level=None)
    # Element 1: 1a-1 at 3 (threshold 3, met), 1b-1 at 4 (not met), 1b-2 at 2 (met); others unanswered.
    for code, level in (("1a-1", 3), ("1b-1", 4), ("1b-2", 2)):
        AspectAnswer.objects.filter(review=review, aspect__code=code).update(level=level)
    data = selectors.review_view(world.actor("a1.head"), review.pk)
    first = data.elements[0]
    assert (first.total, first.answered, first.met, first.mean_level) == (6, 3, 2, 3.0)
    assert first.mean_threshold == 3.0 and not first.at_threshold
    strand_b = first.strands[1]
    assert strand_b.strand.code == "1b" and (strand_b.met, strand_b.total, strand_b.mean_level) == (1, 2, 3.0)
    strand_a = first.strands[0]
    assert strand_a.at_threshold
    # Every aspect at its threshold or better: element at the threshold.
    for row in first.rows:
        AspectAnswer.objects.filter(pk=row.answer.pk).update(level=row.aspect.threshold)
    data = selectors.review_view(world.actor("a1.head"), review.pk)
    assert data.elements[0].at_threshold and data.elements_at_threshold == 1
    # The 2b-2 threshold is 2: level 3 misses it.
    AspectAnswer.objects.filter(review=review, aspect__code="2b-2").update(level=3)
    row = next(r for r in selectors.review_view(world.actor("a1.head"), review.pk).elements[1].rows if r.aspect.code == "2b-2")
    assert row.aspect.threshold == 2 and not row.met


def test_the_radar_puts_level_one_on_the_rim() -> None:
    x, y = selectors._point(0, 8, 1)
    assert (x, y) == (selectors.RADAR_SIZE / 2, selectors.RADAR_SIZE / 2 - selectors.RADAR_RADIUS)
    assert selectors._point(0, 8, None) == (selectors.RADAR_SIZE / 2, selectors.RADAR_SIZE / 2)


def test_result_page_chart_table_history_and_csv(world, client) -> None:  # type: ignore[no-untyped-def]
    review = review_named(world, "a1.current")
    AspectAnswer.objects.filter(review=review, aspect__code="2a-1").update(notes="=HYPERLINK(\"x\")")
    client.force_login(world.users["la1.officer"])
    page = client.get(f"/self-review/reviews/{review.pk}/result/").content.decode()
    assert "<svg" in page and "<polygon" in page and "the chart as a table" in page
    assert "Distance travelled" in page and "World finished" in page
    assert "1.0" in page  # element 1 moved from 3.0 to 2.0: one level gained
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    response = client.get(f"/self-review/reviews/{review.pk}/result.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv") and rows[0][0] == "element"
    assert len(rows) == 35
    row = next(r for r in rows if r[4] == "2a-1")
    assert row[6] == "3" and row[7] == "3" and row[8] == "yes" and row[9].startswith("'=")


def test_result_as_pdf(world, client) -> None:  # type: ignore[no-untyped-def]
    review = review_named(world, "a1.current")
    client.force_login(world.users["a1.head"])
    response = client.get(f"/self-review/reviews/{review.pk}/result.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000


def test_api_answers_with_versions(world, client) -> None:  # type: ignore[no-untyped-def]
    answer = _answer(world, "a1.current", "2c-1")
    url = f"/api/v1/self-review/reviews/{answer.review_id}/answers/{answer.aspect_id}"
    client.force_login(world.users["a1.teacher"])
    read = client.get(url).json()
    assert read["editable"] and read["version"] == answer.version
    body = {"level": 2, "notes": "API", "evidence": ["https://example.org/a"], "version": read["version"]}
    saved = client.put(url, body, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["version"] == read["version"] + 1
    again = client.put(url, body | {"level": 5}, content_type="application/json")
    assert again.status_code == 409 and again.json()["current"]["level"] == 2
    bad = client.put(url, body | {"version": saved.json()["version"], "evidence": ["javascript:x"]},
                     content_type="application/json")
    assert bad.status_code == 422
    detail = client.get(f"/api/v1/self-review/reviews/{answer.review_id}").json()
    assert detail["assignments"] == [{"element_number": 2, "person_id": world.people["a1.teacher"].pk,
                                      "person_name": world.people["a1.teacher"].full_name}]
    assert len(detail["editable_aspect_ids"]) == 5


def test_framework_api_lists_every_version_with_structure(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["parent.a1"])
    listed = client.get("/api/v1/self-review/frameworks").json()
    assert {row["slug"] for row in listed} == {"schools", "fe-skills", "parental-engagement", "online-safety"}
    schools = next(row for row in listed if row["slug"] == "schools")
    assert schools["aspect_count"] == 34
    detail = client.get(f"/api/v1/self-review/frameworks/{schools['id']}").json()
    assert detail["elements"][0]["strands"][0]["aspects"][0]["code"] == "1a-1"
    assert set(detail["elements"][0]["strands"][0]["aspects"][0]["descriptors"]) == {"1", "2", "3", "4", "5"}


def test_lists_show_only_the_reviews_a_persona_may_read(world, client) -> None:  # type: ignore[no-untyped-def]
    from commonroom.testing.oracle_selfreview import REVIEW_NAMES, may_view_review

    for persona in ("a1.head", "a1.teacher", "a1.teacher2", "la1.officer", "la2.officer", "b1.teacher", "nobody"):
        client.force_login(world.users[persona])
        ids = {row["id"] for row in client.get("/api/v1/self-review/reviews").json()["items"]}
        expected = {review_named(world, name).pk for name in REVIEW_NAMES if may_view_review(persona, name)}
        assert ids == expected, persona


def _queries(client, url: str, django_assert_max_num_queries, limit: int) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_query_counts_are_pinned(world, client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["a1.head"])
    review = review_named(world, "a1.current")
    for url, limit in ((f"/self-review/reviews/{review.pk}/", 19), (f"/self-review/reviews/{review.pk}/result/", 18),  # +1 each: the files
                       (f"/self-review/reviews/{review.pk}/aspects/{_answer(world, 'a1.current', '2a-1').aspect_id}/", 15),
                       ("/self-review/", 8), (f"/self-review/reviews/{review.pk}/result.csv", 15), (f"/api/v1/self-review/reviews/{review.pk}/result", 16)):
        _queries(client, url, django_assert_max_num_queries, limit)
